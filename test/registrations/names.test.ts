import { displayName } from '../../src/registrations';

/** One rule for writing a registrant's name, on the manage page, in mails and in invites. */
describe('displayName', () => {
  it('when the name is in Japanese script, then the family name comes first', () => {
    expect(displayName({ familyName: '山田', givenName: '花子' })).toBe('山田 花子');
    expect(displayName({ familyName: 'ヤマダ', givenName: 'はなこ' })).toBe('ヤマダ はなこ');
  });

  it('when the name is in Latin script, then the given name comes first, whatever the language', () => {
    expect(displayName({ familyName: 'Yamada', givenName: 'Hanako' })).toBe('Hanako Yamada');
    expect(displayName({ familyName: 'Schwettmann', givenName: 'Jürgen' })).toBe('Jürgen Schwettmann');
  });

  it('when a part is blank or padded, then no stray spaces are left', () => {
    expect(displayName({ familyName: ' Yamada ', givenName: '' })).toBe('Yamada');
  });
});

import { minPasswordLength, passwordProblem } from '../../src/accounts';
import { tFor } from '../../src/i18n';

/** The one password policy, as a pure function: each refusal names its reason in both languages. */

const owner = { email: 'hanako.yamada@example.org', name: 'Hanako Yamada' };

describe('the password policy', () => {
  it.each([
    ['password1234', 'validation:passwordCommon'],
    ['123456789012', 'validation:passwordCommon'],
    ['aaaaaaaaaaaa', 'validation:passwordWeak'],
  ])('when the password is %s, then it is refused as %s', (password, key) => {
    expect(passwordProblem(password, owner)).toBe(key);
  });

  it('when a weak password is refused, then the reason reads in English and in natural Japanese', () => {
    const en = tFor('en');
    const ja = tFor('ja');
    expect(en(passwordProblem('password1234', owner)!)).toContain('common passwords');
    expect(ja(passwordProblem('password1234', owner)!)).toContain('よく使われるパスワード');
    expect(en(passwordProblem('aaaaaaaaaaaa', owner)!)).toContain('too easy to guess');
    expect(ja(passwordProblem('aaaaaaaaaaaa', owner)!)).toContain('推測されやすい');
    expect(en(passwordProblem('short', owner)!)).toContain('too short');
    expect(ja(passwordProblem('short', owner)!)).toContain('短すぎます');
    expect(ja(passwordProblem('my HANAKO.YAMADA passphrase', owner)!)).toContain('メールアドレス');
  });

  it('when the password is shorter than the minimum, then it is refused as too short, even if strong', () => {
    expect(passwordProblem('Xq7#pL9!vR2', owner)).toBe('validation:passwordTooShort');
    expect('Xq7#pL9!vR2'.length).toBe(minPasswordLength - 1);
  });

  it('when the password holds the address or its local part in any case, then it is refused for containing the address', () => {
    expect(passwordProblem('Hanako.Yamada@Example.org!', owner)).toBe('validation:passwordContainsEmail');
    expect(passwordProblem('violet HANAKO.YAMADA kettle', owner)).toBe('validation:passwordContainsEmail');
  });

  it('when the password leans on the name, then zxcvbn knows it as a user input and refuses it as weak', () => {
    expect(passwordProblem('yamadahanako', owner)).toBe('validation:passwordWeak');
    // For another account the same letters are not personal, and score well enough.
    expect(passwordProblem('yamadahanako', { email: 'taro@example.org', name: 'Taro Sato' })).toBeNull();
  });

  it('when the password is longer than 256 characters, then it is refused as too long; up to 256 a good one passes', () => {
    const long = 'violet kettle under the morning tram '.repeat(7).slice(0, 256);
    expect(passwordProblem(long, owner)).toBeNull();
    expect(passwordProblem(`${long}x`, owner)).toBe('validation:tooLong');
  });

  it('when the password is a passphrase of unrelated words, then it is accepted', () => {
    expect(passwordProblem('violet kettle under the morning tram', owner)).toBeNull();
    expect(passwordProblem('correct horse battery staple', owner)).toBeNull();
  });
});

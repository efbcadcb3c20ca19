import { readableEntries, type AuditRecord } from '../../src/audit';

/** The audit log in words: pure tests of how stored codes and values read in each language. */

function record(over: Partial<AuditRecord>): AuditRecord {
  return {
    id: 1,
    occurredAt: new Date('2026-12-01T00:00:00Z'),
    actor: 'keiko@ilo.example',
    userId: 7,
    userName: 'Keiko Sato',
    action: 'event.updated',
    registrationId: null,
    data: {},
    ...over,
  };
}

const read = (r: AuditRecord, lang: 'en' | 'ja' = 'en', names = new Map<number, string>()) =>
  readableEntries([r], { lang, timeZone: 'Asia/Tokyo', registrantNames: names })[0]!;

describe('readable audit entries', () => {
  it('when values are booleans, instants, texts and lists, then each reads as words in the event zone', () => {
    const e = read(
      record({
        data: {
          before: { waitlist: false, startsAt: '2026-12-16T06:00:00.000Z', title: { en: 'Old', ja: '旧' } },
          after: { waitlist: true, startsAt: '2026-12-16T07:00:00.000Z', title: { en: 'New', ja: '新' } },
          changed: ['waitlist', 'startsAt', 'title'],
        },
      }),
    );
    expect(e.changes.map((c) => c.text)).toEqual([
      'Waiting list when the seats are taken: no → yes',
      'Starts: Wed 16 Dec 2026, 15:00 JST → Wed 16 Dec 2026, 16:00 JST',
      'Title: Old → New',
    ]);
    const ja = read(
      record({
        data: { before: { title: { en: 'Old', ja: '旧' } }, after: { title: { en: 'New', ja: '新' } } },
      }),
      'ja',
    );
    expect(ja.changes[0]!.text).toBe('タイトル: 旧 → 新');
  });

  it('when a value is very long or a list of objects, then it is cut short or counted', () => {
    const e = read(record({ data: { subject: 'x'.repeat(300), questions: [{ id: 'a' }, { id: 'b' }] } }));
    expect(e.changes[0]!.after).toHaveLength(120);
    expect(e.changes[0]!.after!.endsWith('…')).toBe(true);
    expect(e.changes[1]!.text).toBe('Questions: 2 items');
  });

  it('when the actor is a registrant, the waiting list, the command line or unknown, then each is named', () => {
    const names = new Map([[5, '山田 花子']]);
    const registrant = record({
      actor: 'attendee:h@example.org',
      userId: null,
      userName: null,
      registrationId: 5,
    });
    expect(read(registrant, 'en', names).actorLabel).toBe('山田 花子 (registrant)');
    expect(read(registrant, 'ja', names).actorLabel).toBe('山田 花子（登録者）');
    expect(read({ ...registrant, registrationId: 6 }).actorLabel).toBe('The registrant');
    expect(read(record({ actor: 'system:waiting-list', userId: null, userName: null })).actorLabel).toBe(
      'Waiting list (automatic)',
    );
    expect(read(record({ actor: 'cli (keiko@ilo.example)' })).actorLabel).toBe('Keiko Sato (command line)');
    expect(read(record({ actor: 'keiko@ilo.example', userName: '' })).actorLabel).toBe('keiko@ilo.example');
    expect(read(record({ action: 'something.new' })).actionLabel).toBe('something.new');
  });
});

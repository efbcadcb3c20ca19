-- Skip reasons are stored as codes (src/outbox/mail-notes.ts) and translated where the workspace shows
-- them. Rows written before carry the English sentence; map each known one to its code. Anything else
-- in last_error (a mail server's answer) stays as it is and is shown as it came.
UPDATE outgoing_mails
   SET last_error = CASE last_error
         WHEN 'the registration is no longer confirmed' THEN 'registration_not_confirmed'
         WHEN 'the registration is not confirmed' THEN 'registration_not_confirmed'
         WHEN 'the registration is no longer on the waiting list' THEN 'registration_not_waitlisted'
         WHEN 'the registration was cancelled' THEN 'registration_cancelled'
         WHEN 'the registration is live again' THEN 'registration_live_again'
         WHEN 'the event is not published' THEN 'event_not_published'
         WHEN 'the event is no longer cancelled' THEN 'event_not_cancelled'
         WHEN 'the event has started' THEN 'event_started'
         WHEN 'the registrant unsubscribed' THEN 'unsubscribed'
         WHEN 'the organiser removed this reminder' THEN 'reminder_removed'
         WHEN 'the event moved; the reminder is not due yet' THEN 'reminder_not_due'
         WHEN 'the registrant took their seat after this reminder''s moment' THEN 'seat_after_moment'
         WHEN 'the organiser removed the follow-up' THEN 'follow_up_removed'
         WHEN 'the event moved; the follow-up is not due yet' THEN 'follow_up_not_due'
         WHEN 'the follow-up is too late to send' THEN 'follow_up_too_late'
         WHEN 'the confirmation, still to be delivered, carries the current details' THEN 'confirmation_pending'
         WHEN 'the registrant''s calendar is already up to date' THEN 'calendar_up_to_date'
         WHEN 'the registration or event no longer exists' THEN 'registration_or_event_gone'
         WHEN 'the message no longer exists' THEN 'message_gone'
         ELSE last_error
       END
 WHERE status = 'skipped' AND last_error IS NOT NULL;

-- The two sentences that carried a detail: "the later reminder (PT3H) is due", "replaced by a later
-- event.updated mail".
UPDATE outgoing_mails
   SET last_error = 'later_reminder_due:' || substring(last_error FROM '^the later reminder \((.+)\) is due$')
 WHERE status = 'skipped' AND last_error ~ '^the later reminder \(.+\) is due$';

UPDATE outgoing_mails
   SET last_error = 'replaced:' || substring(last_error FROM '^replaced by a later (\S+) mail$')
 WHERE status = 'skipped' AND last_error ~ '^replaced by a later \S+ mail$';

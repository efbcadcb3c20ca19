/** The registrations domain as other domains see it. */
export {
  registerAttendee,
  assertRegistrationOpen,
  availability,
  type RegistrationOutcome,
} from './registrations.service';
export {
  registrationForLink,
  followJoinLink,
  canManage,
  cancelRegistration,
  changePreferences,
  promoteWaiting,
  promoteWaitingForEvent,
  type JoinOutcome,
  type RegistrationWithEvent,
} from './manage.service';
export {
  registrationById,
  setInviteSent,
  setUnsubscribed,
  zoomPeople,
  type ZoomPerson,
} from './registrations.queries';
export type { LinkPurpose, Registration, InviteSnapshot, RegistrationStatus } from './registration.row';
export { affiliations, registrationFormSchema, parseRegistrationForm } from './registrations.schemas';
export { countryOptions, isCountryCode } from './countries';
export { mintLinkToken, LinkTokenBatch } from './tokens';
export { registrationsByIds } from './delivery.queries';
export { displayName } from './names';
export { formView, type FormView } from './form.view';
export {
  registrationsPerDay,
  registrationBreakdowns,
  type DayCount,
  type KeyCount,
  type Breakdowns,
} from './stats.queries';
export {
  parseRegistrationFilters,
  registrationFilterNames,
  parseSort,
  registrationPage,
  registrationSlice,
  registrationCounts,
  eventSummaries,
  type EventSummary,
  registrationSorts,
  maxPageSize,
  type RegistrationFilters,
  type RegistrationSort,
  type RegistrationCounts,
} from './listing';
/** Reminders and messages pick their recipients here; `src/outbox` writes the rows. */
export { messageRecipientBatch, messageRecipientCount } from './listing.queries';
export { topicRecipients, type MailRecipient } from './recipients.queries';
/** What the events domain asks while it saves an event (its `Registrants`), for callers to hand in. */
export { eventRegistrants } from './registrants';
export {
  exportRegistrations,
  exportContentType,
  exportFileName,
  exportFormats,
  isExportFormat,
  type ExportFormat,
} from './export';
export { exportLayout } from './export.columns';
export {
  cancelRegistrationForOrganiser,
  restoreRegistration,
  promoteRegistration,
  resendConfirmation,
  recordRegistrationExport,
  registrationDetail,
  type RegistrationRef,
  type OrganiserContext,
  type RegistrationDetail,
} from './organiser.service';
export { eventActivity } from './activity';
export {
  correctRegistration,
  correctableFields,
  correctionValues,
  registrantMayCorrect,
  type CorrectionOutcome,
  type CorrectionTarget,
} from './corrections.service';
export {
  addRegistrationByOrganiser,
  type ManualRegistration,
  type ManualOutcome,
} from './organiser-add.service';
export {
  decideRegistrations,
  parseDeclineReason,
  type Decision,
  type DecisionOutcome,
  type DeclineReason,
} from './approval.service';
export { liveStatuses, registrationStatuses } from './registration.row';
/** What invitations ask by address: registered here, unsubscribed at an event of the same owner. */
export { registeredEmails, unsubscribedRegistrantEmails } from './invitees.queries';
export { newToken, hashToken, looksLikeToken } from './tokens';
/** Erasing registrants' personal data: `src/privacy` runs it across the tables of every domain. */
export { registrationsByEmail, unerasedRegistrationsOfEvent, eraseRegistrationRows } from './erasure.queries';
export { syncZoomSoon } from './zoom-sync';

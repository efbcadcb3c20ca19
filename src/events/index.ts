/** The events domain as other domains see it. */
export type {
  ZoomLink,
  EventRecord,
  Question,
  Texts,
  BilingualTexts,
  EventStatus,
  Material,
  FollowUp,
  LiveStatus,
  Registrants,
  InstallationBranding,
  EventBranding,
} from './events.types';
export type { EventInput, EventIssue } from './events.schemas';
export {
  lockedEvent,
  eventById,
  eventBySlug,
  eventByZoomId,
  zoomEventsEndedBetween,
  zoomEventsNotEnded,
  eventsWithMailsDue,
  eventsDueForAnonymisation,
  markEventAnonymised,
  visibleEvents,
} from './events.queries';
export { sharedLockedEvent } from './terms.queries';
export {
  importEvent,
  exportEvent,
  publicEvent,
  upcomingEvents,
  registrationWindow,
  registrationClosesAt,
  pickText,
  toEventJson,
  parseEventInput,
  createEvent,
  patchEvent,
  cancelEvent,
  assertCancellable,
  duplicateEvent,
  changeImpact,
  type ChangeImpact,
  type SavedEvent,
  type SaveContext,
  type RegistrationWindow,
  type WindowTerms,
} from './events.service';
export { seedDemoEvent, demoEvent } from './demo-event';
export {
  eventView,
  addToCalendarView,
  publicCalendarFile,
  eventPageUrl,
  type EventView,
  type LocalText,
} from './events.view';
export { eventFiles, eventFileContent, type EventFile, type EventFileContent } from './files.queries';
export {
  addEventFile,
  removeEventFile,
  fileTitle,
  fileSizeLabel,
  sanitiseFileName,
  looksLikePdf,
  maxFileBytes,
  maxFilesPerEvent,
  maxFileTitleLength,
  type NewEventFile,
} from './files.service';
export {
  saveInstallationBranding,
  saveEventBranding,
  currentInstallationBranding,
  maxOrganisationLength,
  type BrandingInput,
} from './branding.service';
export { brandView, type BrandView } from './branding.view';

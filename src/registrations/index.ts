/** The registrations domain as other domains see it. */
export {
  registerAttendee,
  assertRegistrationOpen,
  availability,
  type RegistrationOutcome,
} from './registrations.service';
export { affiliations, registrationFormSchema, parseRegistrationForm } from './registrations.schemas';
export { countryOptions, isCountryCode } from './countries';
export { newToken, hashToken } from './tokens';

/**
 * Personal data over its life: the retention period the worker applies, and a person's requests
 * (access and erasure) for admins and the command line.
 */
export { anonymiseDueEvents, type RetentionOutcome } from './retention.service';
export {
  personData,
  erasePerson,
  parsePersonEmail,
  type PersonActor,
  type PersonData,
  type PersonRegistration,
  type ErasureSummary,
} from './person.service';

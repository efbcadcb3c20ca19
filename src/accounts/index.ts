/** Organiser accounts, their rights and API tokens, as other domains see them. */
export type { Actor, ApiToken, EventRight, Role, User } from './accounts.types';
export { roles } from './accounts.types';
export {
  createAccount,
  changeAccountAccess,
  logIn,
  loginLimits,
  createSetupLink,
  setupLinkValid,
  completeSetup,
  createApiToken,
  actorForApiToken,
  revokeApiToken,
  sessionActor,
  type NewAccount,
} from './accounts.service';
export {
  eventRight,
  assertEventRight,
  eventForActor,
  actingAs,
  canCreateEvents,
  assertAdmin,
} from './access';
export {
  userById,
  userByEmail,
  allUsers,
  firstAdmin,
  userCount,
  apiTokens,
  eventMembers,
  addEventMember,
  removeEventMember,
  setEventOwner,
  memberEventIds,
  deleteExpiredSessions,
  deleteExpiredResetLinks,
} from './accounts.queries';
export { minPasswordLength } from './passwords';
export { passwordProblem, minPasswordScore } from './password-policy';
export {
  changeOwnPassword,
  createPasswordResetLink,
  accountForResetLink,
  resetPasswordWithLink,
  setPasswordByCli,
  resetLinkLifetimeMs,
} from './passwords.service';

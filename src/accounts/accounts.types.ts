/** What an account may do across the installation. */
export const roles = ['admin', 'organiser', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** An organiser account as the domain sees it (never with its password hash). */
export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  locale: 'en' | 'ja';
  disabledAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
}

/**
 * Who is acting: a signed-in account, or an API token acting with its owner's rights. `label` is what
 * the audit log shows ("hanako@example.org", "hanako@example.org (API token “CRM sync”)").
 */
export interface Actor {
  user: User;
  via: 'session' | 'token';
  tokenId?: number;
  label: string;
}

/** What an actor may do with one event: nothing, look and export, or change it. */
export type EventRight = 'none' | 'read' | 'edit';

/** An API token as listed in the workspace (the token itself is shown only once, when created). */
export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * Folder boundaries, checked by `npm run lint` so that a wrong import fails before a reviewer has to
 * find it (STYLE.md §2, README "Architecture"). Layers, top to bottom:
 *   entry points   src/main.ts, src/app.ts, src/cli/, src/worker/
 *   surfaces       src/site/, src/admin/, src/api/ (HTTP only), with src/http/ shared by them
 *   delivery       src/delivery/ (plan, render, send; the worker's, and admin's previews)
 *   domains        src/events/, registrations/, accounts/, messages/, reminders/, audit/, branding/
 *   outbox         src/outbox/ (records mails in the caller's transaction)
 *   bottom         src/time/, calendar/, text/, i18n/, db/, jobs/, rate-limits/, zoom-api/, config.ts, errors.ts, logger.ts
 */
const surfaces = '^src/(site|admin|api)/';
const domains =
  '^src/(events|registrations|accounts|messages|reminders|audit|zoom|privacy|branding|invitations)/';
const bottom =
  '^src/(time|calendar|text|i18n|db|jobs|rate-limits|zoom-api)/|^src/(config|errors|logger)\\.ts$';
const entryPoints = '^src/(cli|worker)/|^src/(app|main)\\.ts$';

/** A rule against folder cycles starting at the folders `from` picks, along the edges `to` allows. */
function folderCycle(from, to) {
  return { name: 'no-folder-cycle', severity: 'error', scope: 'folder', from, to: { ...to, circular: true } };
}

module.exports = {
  forbidden: [
    // A folder that needs a folder that needs it back means a boundary is in the wrong place. One known
    // exception, left to the deployment work that owns both folders: db/migrate.ts installs the job
    // queue's schema while jobs/queue.ts takes the Queryable type from db/pool.ts. Only that pair of
    // edges is exempt; any other cycle through db or jobs still fails.
    folderCycle({ pathNot: '^src/(db|jobs)$' }, {}),
    folderCycle({ path: '^src/db$' }, { pathNot: '^src/jobs$' }),
    folderCycle({ path: '^src/jobs$' }, { pathNot: '^src/db$' }),
    {
      name: 'no-foreign-queries',
      comment: "A table has one owner: other folders call the owner's index.ts, never its *.queries.ts.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/[^/]+\\.queries\\.ts$', pathNot: '^src/$1/' },
    },
    {
      name: 'express-only-in-surfaces',
      comment: 'HTTP belongs to the surfaces; domains take plain input and never see req or res.',
      severity: 'error',
      from: { pathNot: `${surfaces}|^src/http/|^src/(app|main)\\.ts$` },
      to: { path: '(^|/)node_modules/(@types/)?express/' },
    },
    {
      name: 'domains-below-surfaces',
      comment: 'Domains serve every surface alike, so they import none of them (nor http/, delivery/).',
      severity: 'error',
      from: { path: domains },
      to: { path: `${surfaces}|^src/(http|delivery)/|${entryPoints}` },
    },
    {
      name: 'outbox-below-domains',
      comment: 'Domains record mails through outbox/, so outbox/ must not need them back.',
      severity: 'error',
      from: { path: '^src/outbox/' },
      to: { path: `${domains}|${surfaces}|^src/(http|delivery)/|${entryPoints}` },
    },
    {
      name: 'bottom-stays-bottom',
      comment: 'Pure and infrastructure modules know nothing of the product above them.',
      severity: 'error',
      from: { path: bottom },
      to: { path: `${domains}|${surfaces}|^src/(http|delivery|outbox)/|${entryPoints}` },
    },
    {
      name: 'surfaces-apart',
      comment: 'Each surface stands alone; what two of them share lives in http/ or below.',
      severity: 'error',
      from: { path: '^src/(site|admin|api)/' },
      to: { path: surfaces, pathNot: '^src/$1/' },
    },
    {
      name: 'delivery-for-worker-and-admin',
      comment: 'Delivery is run by the worker; the workspace uses it only for previews.',
      severity: 'error',
      from: { pathNot: '^src/(delivery|worker|admin)/' },
      to: { path: '^src/delivery/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

import path from 'node:path';

/**
 * Where the files that are not code live. The code runs from `src/` (development, through tsx or jest)
 * or from `dist/` (the build); both sit one level below the project folder, so this is the one module
 * that knows it and every other module asks here.
 */
export const projectRoot = path.resolve(__dirname, '..');

export const paths = Object.freeze({
  /** EJS templates: pages, the workspace, and `mail/` for mails. */
  views: path.join(projectRoot, 'views'),
  /** The mail templates, `mail/<kind>.{html,text}.ejs`. */
  mailViews: path.join(projectRoot, 'views', 'mail'),
  /** `locales/<lng>/<namespace>.json`. */
  locales: path.join(projectRoot, 'locales'),
  /** Plain SQL migrations, `<utc>_<what>.sql`. */
  migrations: path.join(projectRoot, 'migrations'),
  /** Static assets served under /assets. */
  public: path.join(projectRoot, 'public'),
  /** The TypeScript sources; absent from a container image, which holds only the build. */
  sources: path.join(projectRoot, 'src'),
  /** The build, and the fingerprint of the sources it was built from. */
  build: path.join(projectRoot, 'dist'),
  buildInfo: path.join(projectRoot, 'dist', 'build-info.json'),
});

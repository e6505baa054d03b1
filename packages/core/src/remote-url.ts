/**
 * Git remote URLs name one repository in several spellings:
 * `git@github.com:a/b.git`, `https://github.com/a/b`, `ssh://git@github.com/a/b` are the same.
 * Projects without a `.dev-infra.yml` id match across machines by this normal form.
 */

const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/;
const WITH_SCHEME = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i;

function cleanPath(path: string): string {
  let p = path.replace(/\/+/g, '/').replace(/^\/+/, '');
  p = p.replace(/\/+$/, '');
  if (p.toLowerCase().endsWith('.git')) p = p.slice(0, -4);
  return p.replace(/\/+$/, '');
}

/**
 * Returns the normal form of a git remote URL (`host/owner/repo`, host lower-cased, no user,
 * port, scheme, trailing `.git` or `/`), `file:/abs/path` for local repositories, or null
 * when the input is empty.
 */
export function normaliseRemoteUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  const raw = url.trim();
  if (raw.length === 0) return null;

  const scheme = WITH_SCHEME.exec(raw);
  if (scheme) {
    const protocol = scheme[1]!.toLowerCase();
    const rest = scheme[2]!;
    if (protocol === 'file') return `file:/${cleanPath(rest)}`;
    const slash = rest.indexOf('/');
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    const path = slash === -1 ? '' : rest.slice(slash);
    const hostPort = authority.includes('@')
      ? authority.slice(authority.lastIndexOf('@') + 1)
      : authority;
    const host = hostPort.startsWith('[')
      ? hostPort.slice(0, hostPort.indexOf(']') + 1)
      : hostPort.replace(/:\d*$/, '');
    const cleaned = cleanPath(path);
    return cleaned ? `${host.toLowerCase()}/${cleaned}` : host.toLowerCase();
  }

  // A local path: absolute, or relative like ./repo (git treats "a:b" with no slash before
  // the colon as scp-like, so check that form after paths).
  if (raw.startsWith('/') || raw.startsWith('./') || raw.startsWith('../')) {
    return `file:/${cleanPath(raw)}`;
  }

  const scp = SCP_LIKE.exec(raw);
  if (scp) {
    const host = scp[1]!.toLowerCase();
    const cleaned = cleanPath(scp[2]!);
    return cleaned ? `${host}/${cleaned}` : host;
  }

  return cleanPath(raw) || null;
}

/** Removes any user name or password from a URL so it can be shown or logged safely. */
export function redactRemoteUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

/**
 * Removes secrets from a remote URL before it leaves this machine: all user info on
 * http(s) URLs (tokens often sit in the user name), only the password elsewhere (an ssh
 * `git@` user is needed to clone).
 */
export function stripRemoteCredentials(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^@/]*)@(.*)$/i.exec(url);
  if (!match) return url;
  const [, scheme, userinfo, rest] = match as unknown as [string, string, string, string];
  if (/^https?$/i.test(scheme)) return `${scheme}://${rest}`;
  const user = userinfo.split(':')[0];
  return user ? `${scheme}://${user}@${rest}` : `${scheme}://${rest}`;
}

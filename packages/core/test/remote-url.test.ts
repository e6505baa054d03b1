import { describe, expect, it } from 'vitest';
import { normaliseRemoteUrl, redactRemoteUrl, stripRemoteCredentials } from '../src/remote-url.js';

describe('normaliseRemoteUrl', () => {
  const cases: [string, string | null][] = [
    ['git@github.com:a/b.git', 'github.com/a/b'],
    ['git@github.com:a/b', 'github.com/a/b'],
    ['github.com:a/b.git', 'github.com/a/b'],
    ['https://github.com/a/b', 'github.com/a/b'],
    ['https://github.com/a/b.git', 'github.com/a/b'],
    ['https://github.com/a/b/', 'github.com/a/b'],
    ['https://github.com/a/b.git/', 'github.com/a/b'],
    ['http://github.com/a/b', 'github.com/a/b'],
    ['HTTPS://GitHub.COM/a/b', 'github.com/a/b'],
    ['https://user:secret@github.com/a/b.git', 'github.com/a/b'],
    ['https://github.com:443/a/b', 'github.com/a/b'],
    ['ssh://git@github.com/a/b', 'github.com/a/b'],
    ['ssh://git@github.com:22/a/b.git', 'github.com/a/b'],
    ['ssh://git@GITHUB.com/a/b.git/', 'github.com/a/b'],
    ['git+ssh://git@github.com/a/b.git', 'github.com/a/b'],
    ['git://github.com/a/b.git', 'github.com/a/b'],
    ['git@gitlab.example.com:group/sub/repo.git', 'gitlab.example.com/group/sub/repo'],
    ['https://gitlab.example.com/group/sub/repo', 'gitlab.example.com/group/sub/repo'],
    ['https://github.com/Owner/Repo', 'github.com/Owner/Repo'],
    ['/srv/git/repo.git', 'file:/srv/git/repo'],
    ['file:///srv/git/repo.git', 'file:/srv/git/repo'],
    ['  git@github.com:a/b.git  ', 'github.com/a/b'],
    ['', null],
    ['   ', null],
  ];
  it.each(cases)('%j -> %j', (input, expected) => {
    expect(normaliseRemoteUrl(input)).toBe(expected);
  });

  it('treats null and undefined as no remote', () => {
    expect(normaliseRemoteUrl(null)).toBeNull();
    expect(normaliseRemoteUrl(undefined)).toBeNull();
  });

  it('matches the spellings the design names as equal', () => {
    const same = (a: string | null, b: string | null) => {
      const na = normaliseRemoteUrl(a);
      return na !== null && na === normaliseRemoteUrl(b);
    };
    expect(same('git@github.com:a/b.git', 'https://github.com/a/b')).toBe(true);
    expect(same('ssh://git@github.com/a/b', 'https://github.com/a/b')).toBe(true);
    expect(same('https://github.com/a/b', 'https://github.com/a/c')).toBe(false);
    expect(same(null, null)).toBe(false);
  });
});

describe('redactRemoteUrl', () => {
  it('drops credentials from URLs with a scheme', () => {
    expect(redactRemoteUrl('https://user:tok@github.com/a/b.git')).toBe(
      'https://github.com/a/b.git',
    );
    expect(redactRemoteUrl('git@github.com:a/b.git')).toBe('git@github.com:a/b.git');
  });
});

describe('stripRemoteCredentials', () => {
  it.each([
    ['https://user:tok@github.com/a/b.git', 'https://github.com/a/b.git'],
    ['https://ghp_token@github.com/a/b.git', 'https://github.com/a/b.git'],
    ['http://u:p@host/a', 'http://host/a'],
    ['ssh://git@github.com/a/b', 'ssh://git@github.com/a/b'],
    ['ssh://git:secret@github.com/a/b', 'ssh://git@github.com/a/b'],
    ['git@github.com:a/b.git', 'git@github.com:a/b.git'],
    ['https://github.com/a/b', 'https://github.com/a/b'],
    ['/srv/git/repo.git', '/srv/git/repo.git'],
  ])('%j -> %j', (input, expected) => {
    expect(stripRemoteCredentials(input)).toBe(expected);
  });
});

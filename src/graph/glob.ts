/**
 * Shell-style wildcards as dbt uses them. Selector values follow Python's `fnmatch` (`*` also
 * crosses dots), path values follow `pathlib` globbing (`*` stays inside one folder, `**` crosses
 * folders), so users' dbt selectors keep the meaning they had.
 */
const GLOB_CHARS = /[*?[\]]/;

export function hasGlob(s: string): boolean {
  return GLOB_CHARS.test(s);
}

const cache = new Map<string, RegExp>();

/** Python `fnmatch.fnmatchcase`: `*` any run, `?` one char, `[abc]`, `[!abc]`. */
export function fnmatchRegExp(pattern: string): RegExp {
  const key = `f:${pattern}`;
  let re = cache.get(key);
  if (!re) {
    re = new RegExp(`^${translate(pattern, false)}$`, 's');
    cache.set(key, re);
  }
  return re;
}

export function fnmatch(name: string, pattern: string): boolean {
  if (!hasGlob(pattern)) return name === pattern;
  return fnmatchRegExp(pattern).test(name);
}

/** `pathlib` glob over `/`-separated relative paths: `*` and `?` never cross `/`, `**` does. */
export function pathGlobRegExp(pattern: string): RegExp {
  const key = `p:${pattern}`;
  let re = cache.get(key);
  if (!re) {
    re = new RegExp(`^${translate(pattern, true)}$`, 's');
    cache.set(key, re);
  }
  return re;
}

function translate(pattern: string, path: boolean): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (path && pattern[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches everything below.
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else {
          out += '.*';
        }
      } else {
        out += path ? '[^/]*' : '.*';
      }
    } else if (c === '?') {
      out += path ? '[^/]' : '.';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      body = body.replace(/\\/g, '\\\\').replace(/\^/g, '\\^');
      out += negate ? `[^${body}]` : `[${body}]`;
      i = end;
    } else {
      out += c.replace(/[.+^${}()|\\/\]]/g, '\\$&');
    }
  }
  return out;
}

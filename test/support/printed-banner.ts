// The lines of `npm start`'s banner that tests read, as a user would copy them.
import assert from 'node:assert/strict';

export interface PrintedCredentials {
  B: string;
  MSN: string;
  CID: string;
  SECRET: string;
  KEY: string;
}

/** The `Merchant portal: <url> e-mail <e-mail> password <password>` line of the start banner. */
export function printedPortalLogin(output: string): { email: string; password: string } {
  const match = /Merchant portal: \S+\/portal +e-mail (\S+) +password (\S+)/.exec(output);
  assert.ok(match, `the banner prints the portal login:\n${output}`);
  return { email: match[1] ?? '', password: match[2] ?? '' };
}

/** The `export B=… MSN=… CID=… SECRET='…' KEY=…` line of the start banner, as a shell would read it. */
export function printedCredentials(output: string): PrintedCredentials {
  const line = /export (B=\S+ MSN=\S+ CID=\S+ SECRET=\S+ KEY=\S+)/.exec(output)?.[1];
  assert.ok(line, `the banner has an export line:\n${output}`);
  const pairs = line.split(' ').map((pair) => {
    const [name, ...rest] = pair.split('=');
    return [name, rest.join('=').replace(/^'(.*)'$/, '$1')];
  });
  return Object.fromEntries(pairs) as PrintedCredentials;
}

/** How the mock starts: the binary's flags (see `cocart-mock --help`). */
export interface Profile {
  /** JWT plugin generation (`--plugin`). Default `v3`. */
  plugin?: "v3" | "v2";
  /** `standard`, `strip-authorization` or `custom-auth-header:<Header-Name>` (`--host-profile`). */
  hostProfile?: string;
  /** `WP_ENVIRONMENT_TYPE` (`--environment`). Default `local`. */
  environment?: "local" | "development" | "staging" | "production";
  /** Access-token lifetime in seconds (`--access-ttl`). */
  accessTtl?: number;
  /** Refresh-token lifetime in seconds (`--refresh-ttl`). */
  refreshTtl?: number;
  /** A seed document, JSON or TOML (`--seed`). */
  seed?: string;
  /** Customers to seed: `"user:password"` or `{ username, password }` (`--user`, repeated). */
  users?: Array<string | { username: string; password: string }>;
  /** The JWT secret (`--secret`). */
  secret?: string;
  /** Run without a JWT secret (`--no-secret`). */
  noSecret?: boolean;
  /** The CoCart Plus style rate limiter (`--rate-limit`). */
  rateLimit?: boolean;
  /** More flags, passed as they are. */
  args?: string[];
  /** The binary to run instead of the platform package's (also `COCART_MOCK_BINARY`). */
  binary?: string;
  /** How long to wait for the mock to print its address. Default 10000. */
  startTimeoutMs?: number;
}

export interface JournalEntry {
  method: string;
  path: string;
  query: string;
  /** 0 while in flight or when no answer was sent. */
  status: number;
  auth: "bearer" | "basic" | "none";
}

export interface MockUser {
  id: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
}

export interface NewUser {
  username: string;
  email: string;
  password: string;
  first_name?: string;
  last_name?: string;
}

export interface UserPatch {
  password?: string;
  email?: string;
}

export interface ConfigPatch {
  plugin?: "v3" | "v2";
  host_profile?: string;
  environment?: "local" | "development" | "staging" | "production";
  access_ttl?: number;
  refresh_ttl?: number;
  /** `null` removes the secret. */
  secret?: string | null;
  rate_limit?: boolean;
}

export type Fault =
  | { path: string; kind: "status"; status: number; times?: number }
  | { path: string; kind: "delay"; ms: number; times?: number }
  | { path: string; kind: "drop"; times?: number };

export class MockError extends Error {
  status: number;
  body: unknown;
}

/** A running cocart-mock process. */
export class CocartMock {
  /** The store's base URL, `http://127.0.0.1:PORT` (also the JWT `iss`). */
  readonly url: string;
  /** The mock's console, a web page that shows each user's token lineage: `url + "/__mock/ui"`. */
  readonly consoleUrl: string;
  readonly pid: number;
  reset(): Promise<unknown>;
  now(): Promise<number>;
  advanceClock(seconds: number): Promise<number>;
  setClock(unixSeconds: number): Promise<number>;
  addUser(user: NewUser): Promise<number>;
  users(): Promise<MockUser[]>;
  updateUser(id: number, patch: UserPatch): Promise<unknown>;
  deleteUser(id: number): Promise<unknown>;
  journal(): Promise<JournalEntry[]>;
  clearJournal(): Promise<void>;
  configure(patch: ConfigPatch): Promise<Record<string, unknown>>;
  config(): Promise<Record<string, unknown>>;
  addFault(fault: Fault): Promise<unknown>;
  faults(): Promise<Array<Record<string, unknown>>>;
  clearFaults(): Promise<void>;
  /** Stops the mock and waits for the process to end. */
  stop(): Promise<void>;
}

/** Starts a mock on a free port of 127.0.0.1 and waits until it serves. */
export function start(profile?: Profile): Promise<CocartMock>;
/** The binary the launcher runs. */
export function binaryPath(): string;
/** The binary's flags for a profile. */
export function argsFor(profile?: Profile): string[];

declare const _default: {
  start: typeof start;
  binaryPath: typeof binaryPath;
  argsFor: typeof argsFor;
  CocartMock: typeof CocartMock;
  MockError: typeof MockError;
};
export default _default;

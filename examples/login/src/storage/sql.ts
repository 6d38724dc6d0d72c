// Every statement the login app runs: fixed text, positional parameters ($1…), nothing built from input.

/** Schema, applied in order at start (idempotent). */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
  )`,
  // Sessions are stored by the SHA-256 of their id: a database leak gives no usable cookie.
  `CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id)`,
  `CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions (last_seen_at)`,
];

/** The statements, by name. */
export const SQL = {
  insertUser: `INSERT INTO users (id, email, password_hash, created_at, password_changed_at) VALUES ($1, $2, $3, $4, $4)`,
  userByEmail: `SELECT id, email, password_hash, created_at FROM users WHERE email = $1`,
  userById: `SELECT id, email, password_hash, created_at FROM users WHERE id = $1`,
  // The old hash is part of the condition: a rehash never overwrites a password changed in the meantime.
  updatePasswordHash: `UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`,
  changePassword: `UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1`,
  insertSession: `INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)`,
  getSession: `SELECT id_hash, user_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1`,
  touchSession: `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1`,
  deleteSession: `DELETE FROM sessions WHERE id_hash = $1`,
  deleteUserSessions: `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`,
  // Expired sessions (idle or past the absolute timeout), so the table does not grow with every login.
  sweepSessions: `DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2`,
} as const;

/** A statement name. */
export type StatementName = keyof typeof SQL;

// Public entry of @portcullis/logging: pino request logging that cannot leak credentials.
import './augment.js';

export { createLogger, type LoggerOptions } from './logger.js';
export { requestLogger, type RequestLoggerOptions } from './request-logger.js';
export { redactUrl, scrubText } from './scrub-text.js';
export { serializeError, type SerializedError } from './serialize-error.js';
export { DEFAULT_REDACT_PATHS } from './names.js';
export type { SerializedRequest, SerializedResponse } from './serializers.js';

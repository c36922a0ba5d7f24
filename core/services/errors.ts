/** Typed errors of the service manager. */
import { ErrorCode, KoiError } from '../../plugin-api/errors';

export type ServiceErrorReason = 'folder' | 'probe' | 'executor';

export class ServiceManagerError extends KoiError {
  constructor(readonly reason: ServiceErrorReason, message: string) {
    super(ErrorCode.SERVICE, message);
  }
}

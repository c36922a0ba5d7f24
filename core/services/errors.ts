/** Typed errors of the service manager. */

export type ServiceErrorCode = 'E_SERVICE_FOLDER' | 'E_SERVICE_PROBE' | 'E_SERVICE_EXECUTOR';

export class ServiceManagerError extends Error {
  constructor(readonly code: ServiceErrorCode, message: string) {
    super(message);
    this.name = 'ServiceManagerError';
  }
}

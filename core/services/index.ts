/** The service manager (SPEC §6): discovery, ordering, state machine, status rounds. */
export { createServiceManager } from './manager';
export type { ServiceContext, ServiceManager, ServiceManagerListener, ServiceManagerOptions } from './types';
export { parseServiceName, ignoreReason, type ParsedServiceName } from './names';
export { folderLister } from './folder';
export { orderExecutors } from './discovery';
export { ServiceManagerError, type ServiceErrorReason } from './errors';
export {
  STEP, OUTCOME, RUNNING_STATE, TARGET_STATE, PROMOTABLE_STATUS, VALID_STATUS, statusEffect, abortsEvent,
  type RestingState, type TransitionEvent, type Outcome, type StatusEffect,
} from './transitions';

import * as $protobuf from "protobufjs";
import Long = require("long");

/** Namespace koi. */
export namespace koi {

    /** Namespace wire. */
    namespace wire {

        /**
         * Properties of an Envelope.
         * @deprecated Use koi.wire.Envelope.$Properties instead.
         */
        interface IEnvelope extends koi.wire.Envelope.$Properties {
        }

        /** Represents an Envelope. */
        class Envelope {

            /**
             * Constructs a new Envelope.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.Envelope.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Envelope version. */
            version: number;

            /** Envelope clusterId. */
            clusterId: number;

            /** Envelope senderId. */
            senderId: Uint8Array;

            /** Envelope seq. */
            seq: number;

            /** Envelope sentAt. */
            sentAt: number;

            /** Envelope heartbeat. */
            heartbeat?: (koi.wire.HeartBeat.$Properties|null);

            /** Envelope health. */
            health?: (koi.wire.HealthReport.$Properties|null);

            /** Envelope state. */
            state?: (koi.wire.StateUpdate.$Properties|null);

            /** Envelope request. */
            request?: (koi.wire.AdminRequest.$Properties|null);

            /** Envelope response. */
            response?: (koi.wire.AdminResponse.$Properties|null);

            /** Envelope body. */
            body?: ("heartbeat"|"health"|"state"|"request"|"response");

            /**
             * Creates a new Envelope instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Envelope instance
             */
            static create(properties: koi.wire.Envelope.$Shape): koi.wire.Envelope & koi.wire.Envelope.$Shape;
            static create(properties?: koi.wire.Envelope.$Properties): koi.wire.Envelope;

            /**
             * Encodes the specified Envelope message. Does not implicitly {@link koi.wire.Envelope.verify|verify} messages.
             * @param message Envelope message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.Envelope.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Envelope message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.Envelope & koi.wire.Envelope.$Shape} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.Envelope & koi.wire.Envelope.$Shape;

            /**
             * Gets the type url for Envelope
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Envelope {

            /** Properties of an Envelope. */
            interface $Properties {

                /** Envelope version */
                version?: (number|null);

                /** Envelope clusterId */
                clusterId?: (number|null);

                /** Envelope senderId */
                senderId?: (Uint8Array|null);

                /** Envelope seq */
                seq?: (number|null);

                /** Envelope sentAt */
                sentAt?: (number|null);

                /** Envelope heartbeat */
                heartbeat?: (koi.wire.HeartBeat.$Properties|null);

                /** Envelope health */
                health?: (koi.wire.HealthReport.$Properties|null);

                /** Envelope state */
                state?: (koi.wire.StateUpdate.$Properties|null);

                /** Envelope request */
                request?: (koi.wire.AdminRequest.$Properties|null);

                /** Envelope response */
                response?: (koi.wire.AdminResponse.$Properties|null);

                /** Envelope body */
                body?: ("heartbeat"|"health"|"state"|"request"|"response");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of an Envelope. */
            type $Shape = {
              version?: number|null;
              clusterId?: number|null;
              senderId?: Uint8Array|null;
              seq?: number|null;
              sentAt?: number|null;
              heartbeat?: koi.wire.HeartBeat.$Shape|null;
              health?: koi.wire.HealthReport.$Shape|null;
              state?: koi.wire.StateUpdate.$Shape|null;
              request?: koi.wire.AdminRequest.$Shape|null;
              response?: koi.wire.AdminResponse.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ body?: undefined; heartbeat?: null; health?: null; state?: null; request?: null; response?: null }|{ body?: "heartbeat"; heartbeat: koi.wire.HeartBeat.$Shape; health?: null; state?: null; request?: null; response?: null }|{ body?: "health"; heartbeat?: null; health: koi.wire.HealthReport.$Shape; state?: null; request?: null; response?: null }|{ body?: "state"; heartbeat?: null; health?: null; state: koi.wire.StateUpdate.$Shape; request?: null; response?: null }|{ body?: "request"; heartbeat?: null; health?: null; state?: null; request: koi.wire.AdminRequest.$Shape; response?: null }|{ body?: "response"; heartbeat?: null; health?: null; state?: null; request?: null; response: koi.wire.AdminResponse.$Shape })
            );
        }

        /**
         * Properties of an Address.
         * @deprecated Use koi.wire.Address.$Properties instead.
         */
        interface IAddress extends koi.wire.Address.$Properties {
        }

        /** Represents an Address. */
        class Address {

            /**
             * Constructs a new Address.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.Address.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Address ip. */
            ip: Uint8Array;

            /** Address port. */
            port: number;

            /** Address zone. */
            zone: string;

            /** Address text. */
            text: string;

            /**
             * Creates a new Address instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Address instance
             */
            static create(properties: koi.wire.Address.$Shape): koi.wire.Address & koi.wire.Address.$Shape;
            static create(properties?: koi.wire.Address.$Properties): koi.wire.Address;

            /**
             * Encodes the specified Address message. Does not implicitly {@link koi.wire.Address.verify|verify} messages.
             * @param message Address message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.Address.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Address message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.Address & koi.wire.Address.$Shape} Address
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.Address & koi.wire.Address.$Shape;

            /**
             * Gets the type url for Address
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace Address {

            /** Properties of an Address. */
            interface $Properties {

                /** Address ip */
                ip?: (Uint8Array|null);

                /** Address port */
                port?: (number|null);

                /** Address zone */
                zone?: (string|null);

                /** Address text */
                text?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Address. */
            type $Shape = koi.wire.Address.$Properties;
        }

        /**
         * Properties of a ClusterNodeInfo.
         * @deprecated Use koi.wire.ClusterNodeInfo.$Properties instead.
         */
        interface IClusterNodeInfo extends koi.wire.ClusterNodeInfo.$Properties {
        }

        /** Represents a ClusterNodeInfo. */
        class ClusterNodeInfo {

            /**
             * Constructs a new ClusterNodeInfo.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.ClusterNodeInfo.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ClusterNodeInfo id. */
            id: Uint8Array;

            /** ClusterNodeInfo name. */
            name: string;

            /** ClusterNodeInfo flags. */
            flags: number;

            /** ClusterNodeInfo addresses. */
            addresses: koi.wire.Address.$Properties[];

            /** ClusterNodeInfo lastSeenAgoMs. */
            lastSeenAgoMs: number;

            /**
             * Creates a new ClusterNodeInfo instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ClusterNodeInfo instance
             */
            static create(properties: koi.wire.ClusterNodeInfo.$Shape): koi.wire.ClusterNodeInfo & koi.wire.ClusterNodeInfo.$Shape;
            static create(properties?: koi.wire.ClusterNodeInfo.$Properties): koi.wire.ClusterNodeInfo;

            /**
             * Encodes the specified ClusterNodeInfo message. Does not implicitly {@link koi.wire.ClusterNodeInfo.verify|verify} messages.
             * @param message ClusterNodeInfo message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.ClusterNodeInfo.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ClusterNodeInfo message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.ClusterNodeInfo & koi.wire.ClusterNodeInfo.$Shape} ClusterNodeInfo
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.ClusterNodeInfo & koi.wire.ClusterNodeInfo.$Shape;

            /**
             * Gets the type url for ClusterNodeInfo
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ClusterNodeInfo {

            /** Properties of a ClusterNodeInfo. */
            interface $Properties {

                /** ClusterNodeInfo id */
                id?: (Uint8Array|null);

                /** ClusterNodeInfo name */
                name?: (string|null);

                /** ClusterNodeInfo flags */
                flags?: (number|null);

                /** ClusterNodeInfo addresses */
                addresses?: (koi.wire.Address.$Properties[]|null);

                /** ClusterNodeInfo lastSeenAgoMs */
                lastSeenAgoMs?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ClusterNodeInfo. */
            type $Shape = koi.wire.ClusterNodeInfo.$Properties;
        }

        /**
         * Properties of a ClusterView.
         * @deprecated Use koi.wire.ClusterView.$Properties instead.
         */
        interface IClusterView extends koi.wire.ClusterView.$Properties {
        }

        /** Represents a ClusterView. */
        class ClusterView {

            /**
             * Constructs a new ClusterView.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.ClusterView.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ClusterView leaderId. */
            leaderId: Uint8Array;

            /** ClusterView masterId. */
            masterId: Uint8Array;

            /** ClusterView masterName. */
            masterName: string;

            /** ClusterView maintenance. */
            maintenance: boolean;

            /** ClusterView manualMaster. */
            manualMaster: boolean;

            /** ClusterView nodes. */
            nodes: koi.wire.ClusterNodeInfo.$Properties[];

            /** ClusterView previousMasterId. */
            previousMasterId: Uint8Array;

            /** ClusterView previousMasterName. */
            previousMasterName: string;

            /**
             * Creates a new ClusterView instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ClusterView instance
             */
            static create(properties: koi.wire.ClusterView.$Shape): koi.wire.ClusterView & koi.wire.ClusterView.$Shape;
            static create(properties?: koi.wire.ClusterView.$Properties): koi.wire.ClusterView;

            /**
             * Encodes the specified ClusterView message. Does not implicitly {@link koi.wire.ClusterView.verify|verify} messages.
             * @param message ClusterView message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.ClusterView.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ClusterView message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.ClusterView & koi.wire.ClusterView.$Shape} ClusterView
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.ClusterView & koi.wire.ClusterView.$Shape;

            /**
             * Gets the type url for ClusterView
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ClusterView {

            /** Properties of a ClusterView. */
            interface $Properties {

                /** ClusterView leaderId */
                leaderId?: (Uint8Array|null);

                /** ClusterView masterId */
                masterId?: (Uint8Array|null);

                /** ClusterView masterName */
                masterName?: (string|null);

                /** ClusterView maintenance */
                maintenance?: (boolean|null);

                /** ClusterView manualMaster */
                manualMaster?: (boolean|null);

                /** ClusterView nodes */
                nodes?: (koi.wire.ClusterNodeInfo.$Properties[]|null);

                /** ClusterView previousMasterId */
                previousMasterId?: (Uint8Array|null);

                /** ClusterView previousMasterName */
                previousMasterName?: (string|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ClusterView. */
            type $Shape = koi.wire.ClusterView.$Properties;
        }

        /**
         * Properties of a HeartBeat.
         * @deprecated Use koi.wire.HeartBeat.$Properties instead.
         */
        interface IHeartBeat extends koi.wire.HeartBeat.$Properties {
        }

        /** Represents a HeartBeat. */
        class HeartBeat {

            /**
             * Constructs a new HeartBeat.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.HeartBeat.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** HeartBeat name. */
            name: string;

            /** HeartBeat flags. */
            flags: number;

            /** HeartBeat seenAddress. */
            seenAddress?: (koi.wire.Address.$Properties|null);

            /** HeartBeat uptimeMs. */
            uptimeMs: number;

            /** HeartBeat view. */
            view?: (koi.wire.ClusterView.$Properties|null);

            /** HeartBeat holdMs. */
            holdMs: number;

            /** HeartBeat ackWindowMs. */
            ackWindowMs: number;

            /** HeartBeat answersUptimeMs. */
            answersUptimeMs: number;

            /** HeartBeat answersLeaderId. */
            answersLeaderId: Uint8Array;

            /** HeartBeat answersFreeAgoMs. */
            answersFreeAgoMs: number;

            /** HeartBeat knownMasterId. */
            knownMasterId: Uint8Array;

            /** HeartBeat knownMasterName. */
            knownMasterName: string;

            /** HeartBeat relayedHoldMs. */
            relayedHoldMs: number;

            /** HeartBeat stateUpdates. */
            stateUpdates: koi.wire.RiderStateUpdate.$Properties[];

            /** HeartBeat health. */
            health?: (koi.wire.HealthReport.$Properties|null);

            /** HeartBeat healthLeaderId. */
            healthLeaderId: Uint8Array;

            /** HeartBeat uptimeSinceSeq. */
            uptimeSinceSeq: number;

            /** HeartBeat answersSinceSeq. */
            answersSinceSeq: number;

            /**
             * Creates a new HeartBeat instance using the specified properties.
             * @param [properties] Properties to set
             * @returns HeartBeat instance
             */
            static create(properties: koi.wire.HeartBeat.$Shape): koi.wire.HeartBeat & koi.wire.HeartBeat.$Shape;
            static create(properties?: koi.wire.HeartBeat.$Properties): koi.wire.HeartBeat;

            /**
             * Encodes the specified HeartBeat message. Does not implicitly {@link koi.wire.HeartBeat.verify|verify} messages.
             * @param message HeartBeat message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.HeartBeat.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a HeartBeat message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.HeartBeat & koi.wire.HeartBeat.$Shape} HeartBeat
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.HeartBeat & koi.wire.HeartBeat.$Shape;

            /**
             * Gets the type url for HeartBeat
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace HeartBeat {

            /** Properties of a HeartBeat. */
            interface $Properties {

                /** HeartBeat name */
                name?: (string|null);

                /** HeartBeat flags */
                flags?: (number|null);

                /** HeartBeat seenAddress */
                seenAddress?: (koi.wire.Address.$Properties|null);

                /** HeartBeat uptimeMs */
                uptimeMs?: (number|null);

                /** HeartBeat view */
                view?: (koi.wire.ClusterView.$Properties|null);

                /** HeartBeat holdMs */
                holdMs?: (number|null);

                /** HeartBeat ackWindowMs */
                ackWindowMs?: (number|null);

                /** HeartBeat answersUptimeMs */
                answersUptimeMs?: (number|null);

                /** HeartBeat answersLeaderId */
                answersLeaderId?: (Uint8Array|null);

                /** HeartBeat answersFreeAgoMs */
                answersFreeAgoMs?: (number|null);

                /** HeartBeat knownMasterId */
                knownMasterId?: (Uint8Array|null);

                /** HeartBeat knownMasterName */
                knownMasterName?: (string|null);

                /** HeartBeat relayedHoldMs */
                relayedHoldMs?: (number|null);

                /** HeartBeat stateUpdates */
                stateUpdates?: (koi.wire.RiderStateUpdate.$Properties[]|null);

                /** HeartBeat health */
                health?: (koi.wire.HealthReport.$Properties|null);

                /** HeartBeat healthLeaderId */
                healthLeaderId?: (Uint8Array|null);

                /** HeartBeat uptimeSinceSeq */
                uptimeSinceSeq?: (number|null);

                /** HeartBeat answersSinceSeq */
                answersSinceSeq?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a HeartBeat. */
            type $Shape = koi.wire.HeartBeat.$Properties;
        }

        /**
         * Properties of a RiderStateUpdate.
         * @deprecated Use koi.wire.RiderStateUpdate.$Properties instead.
         */
        interface IRiderStateUpdate extends koi.wire.RiderStateUpdate.$Properties {
        }

        /** Represents a RiderStateUpdate. */
        class RiderStateUpdate {

            /**
             * Constructs a new RiderStateUpdate.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.RiderStateUpdate.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** RiderStateUpdate runnerId. */
            runnerId: Uint8Array;

            /** RiderStateUpdate update. */
            update?: (koi.wire.StateUpdate.$Properties|null);

            /**
             * Creates a new RiderStateUpdate instance using the specified properties.
             * @param [properties] Properties to set
             * @returns RiderStateUpdate instance
             */
            static create(properties: koi.wire.RiderStateUpdate.$Shape): koi.wire.RiderStateUpdate & koi.wire.RiderStateUpdate.$Shape;
            static create(properties?: koi.wire.RiderStateUpdate.$Properties): koi.wire.RiderStateUpdate;

            /**
             * Encodes the specified RiderStateUpdate message. Does not implicitly {@link koi.wire.RiderStateUpdate.verify|verify} messages.
             * @param message RiderStateUpdate message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.RiderStateUpdate.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a RiderStateUpdate message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.RiderStateUpdate & koi.wire.RiderStateUpdate.$Shape} RiderStateUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.RiderStateUpdate & koi.wire.RiderStateUpdate.$Shape;

            /**
             * Gets the type url for RiderStateUpdate
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace RiderStateUpdate {

            /** Properties of a RiderStateUpdate. */
            interface $Properties {

                /** RiderStateUpdate runnerId */
                runnerId?: (Uint8Array|null);

                /** RiderStateUpdate update */
                update?: (koi.wire.StateUpdate.$Properties|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a RiderStateUpdate. */
            type $Shape = koi.wire.RiderStateUpdate.$Properties;
        }

        /** RunnerState enum. */
        enum RunnerState {

            /** RUNNER_STATE_UNSPECIFIED value */
            RUNNER_STATE_UNSPECIFIED = 0,

            /** RUNNER_STATE_FAILED value */
            RUNNER_STATE_FAILED = 1,

            /** RUNNER_STATE_DISCONNECTED value */
            RUNNER_STATE_DISCONNECTED = 2,

            /** RUNNER_STATE_STOPPED value */
            RUNNER_STATE_STOPPED = 3,

            /** RUNNER_STATE_LIVE value */
            RUNNER_STATE_LIVE = 4,

            /** RUNNER_STATE_SLAVE value */
            RUNNER_STATE_SLAVE = 5,

            /** RUNNER_STATE_MASTER value */
            RUNNER_STATE_MASTER = 6
        }

        /** RunnerMode enum. */
        enum RunnerMode {

            /** RUNNER_MODE_UNSPECIFIED value */
            RUNNER_MODE_UNSPECIFIED = 0,

            /** RUNNER_MODE_ACTIVE value */
            RUNNER_MODE_ACTIVE = 1,

            /** RUNNER_MODE_PASSIVE value */
            RUNNER_MODE_PASSIVE = 2
        }

        /** ServiceState enum. */
        enum ServiceState {

            /** SERVICE_STATE_UNSPECIFIED value */
            SERVICE_STATE_UNSPECIFIED = 0,

            /** SERVICE_STATE_FAILED value */
            SERVICE_STATE_FAILED = 1,

            /** SERVICE_STATE_FAILING value */
            SERVICE_STATE_FAILING = 2,

            /** SERVICE_STATE_STOPPED value */
            SERVICE_STATE_STOPPED = 3,

            /** SERVICE_STATE_STOPPING value */
            SERVICE_STATE_STOPPING = 4,

            /** SERVICE_STATE_STARTING value */
            SERVICE_STATE_STARTING = 5,

            /** SERVICE_STATE_STARTED value */
            SERVICE_STATE_STARTED = 6,

            /** SERVICE_STATE_DEMOTING value */
            SERVICE_STATE_DEMOTING = 7,

            /** SERVICE_STATE_PROMOTING value */
            SERVICE_STATE_PROMOTING = 8,

            /** SERVICE_STATE_PROMOTED value */
            SERVICE_STATE_PROMOTED = 9
        }

        /** TargetAction enum. */
        enum TargetAction {

            /** TARGET_ACTION_UNSPECIFIED value */
            TARGET_ACTION_UNSPECIFIED = 0,

            /** TARGET_ACTION_FAIL value */
            TARGET_ACTION_FAIL = 1,

            /** TARGET_ACTION_STOP value */
            TARGET_ACTION_STOP = 2,

            /** TARGET_ACTION_START value */
            TARGET_ACTION_START = 3,

            /** TARGET_ACTION_DEMOTE value */
            TARGET_ACTION_DEMOTE = 4,

            /** TARGET_ACTION_PROMOTE value */
            TARGET_ACTION_PROMOTE = 5
        }

        /**
         * Properties of a ServiceStatusInfo.
         * @deprecated Use koi.wire.ServiceStatusInfo.$Properties instead.
         */
        interface IServiceStatusInfo extends koi.wire.ServiceStatusInfo.$Properties {
        }

        /** Represents a ServiceStatusInfo. */
        class ServiceStatusInfo {

            /**
             * Constructs a new ServiceStatusInfo.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.ServiceStatusInfo.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ServiceStatusInfo name. */
            name: string;

            /** ServiceStatusInfo state. */
            state: koi.wire.ServiceState;

            /** ServiceStatusInfo disabled. */
            disabled: boolean;

            /**
             * Creates a new ServiceStatusInfo instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ServiceStatusInfo instance
             */
            static create(properties: koi.wire.ServiceStatusInfo.$Shape): koi.wire.ServiceStatusInfo & koi.wire.ServiceStatusInfo.$Shape;
            static create(properties?: koi.wire.ServiceStatusInfo.$Properties): koi.wire.ServiceStatusInfo;

            /**
             * Encodes the specified ServiceStatusInfo message. Does not implicitly {@link koi.wire.ServiceStatusInfo.verify|verify} messages.
             * @param message ServiceStatusInfo message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.ServiceStatusInfo.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ServiceStatusInfo message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.ServiceStatusInfo & koi.wire.ServiceStatusInfo.$Shape} ServiceStatusInfo
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.ServiceStatusInfo & koi.wire.ServiceStatusInfo.$Shape;

            /**
             * Gets the type url for ServiceStatusInfo
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace ServiceStatusInfo {

            /** Properties of a ServiceStatusInfo. */
            interface $Properties {

                /** ServiceStatusInfo name */
                name?: (string|null);

                /** ServiceStatusInfo state */
                state?: (koi.wire.ServiceState|null);

                /** ServiceStatusInfo disabled */
                disabled?: (boolean|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ServiceStatusInfo. */
            type $Shape = koi.wire.ServiceStatusInfo.$Properties;
        }

        /**
         * Properties of a HealthReport.
         * @deprecated Use koi.wire.HealthReport.$Properties instead.
         */
        interface IHealthReport extends koi.wire.HealthReport.$Properties {
        }

        /** Represents a HealthReport. */
        class HealthReport {

            /**
             * Constructs a new HealthReport.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.HealthReport.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** HealthReport name. */
            name: string;

            /** HealthReport state. */
            state: koi.wire.RunnerState;

            /** HealthReport mode. */
            mode: koi.wire.RunnerMode;

            /** HealthReport uptimeMs. */
            uptimeMs: number;

            /** HealthReport target. */
            target: koi.wire.TargetAction;

            /** HealthReport services. */
            services: koi.wire.ServiceStatusInfo.$Properties[];

            /** HealthReport promoted. */
            promoted: boolean;

            /** HealthReport failCount. */
            failCount: number;

            /** HealthReport lastFailureAgoMs. */
            lastFailureAgoMs: number;

            /** HealthReport lastFailureReason. */
            lastFailureReason: string;

            /** HealthReport stopped. */
            stopped: boolean;

            /** HealthReport lastFailureOutput. */
            lastFailureOutput: string[];

            /** HealthReport appliedUpdateMs. */
            appliedUpdateMs: number;

            /**
             * Creates a new HealthReport instance using the specified properties.
             * @param [properties] Properties to set
             * @returns HealthReport instance
             */
            static create(properties: koi.wire.HealthReport.$Shape): koi.wire.HealthReport & koi.wire.HealthReport.$Shape;
            static create(properties?: koi.wire.HealthReport.$Properties): koi.wire.HealthReport;

            /**
             * Encodes the specified HealthReport message. Does not implicitly {@link koi.wire.HealthReport.verify|verify} messages.
             * @param message HealthReport message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.HealthReport.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a HealthReport message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.HealthReport & koi.wire.HealthReport.$Shape} HealthReport
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.HealthReport & koi.wire.HealthReport.$Shape;

            /**
             * Gets the type url for HealthReport
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace HealthReport {

            /** Properties of a HealthReport. */
            interface $Properties {

                /** HealthReport name */
                name?: (string|null);

                /** HealthReport state */
                state?: (koi.wire.RunnerState|null);

                /** HealthReport mode */
                mode?: (koi.wire.RunnerMode|null);

                /** HealthReport uptimeMs */
                uptimeMs?: (number|null);

                /** HealthReport target */
                target?: (koi.wire.TargetAction|null);

                /** HealthReport services */
                services?: (koi.wire.ServiceStatusInfo.$Properties[]|null);

                /** HealthReport promoted */
                promoted?: (boolean|null);

                /** HealthReport failCount */
                failCount?: (number|null);

                /** HealthReport lastFailureAgoMs */
                lastFailureAgoMs?: (number|null);

                /** HealthReport lastFailureReason */
                lastFailureReason?: (string|null);

                /** HealthReport stopped */
                stopped?: (boolean|null);

                /** HealthReport lastFailureOutput */
                lastFailureOutput?: (string[]|null);

                /** HealthReport appliedUpdateMs */
                appliedUpdateMs?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a HealthReport. */
            type $Shape = koi.wire.HealthReport.$Properties;
        }

        /**
         * Properties of a StateUpdate.
         * @deprecated Use koi.wire.StateUpdate.$Properties instead.
         */
        interface IStateUpdate extends koi.wire.StateUpdate.$Properties {
        }

        /** Represents a StateUpdate. */
        class StateUpdate {

            /**
             * Constructs a new StateUpdate.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.StateUpdate.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** StateUpdate masterId. */
            masterId: Uint8Array;

            /** StateUpdate masterName. */
            masterName: string;

            /** StateUpdate masterAddress. */
            masterAddress?: (koi.wire.Address.$Properties|null);

            /** StateUpdate leaderName. */
            leaderName: string;

            /** StateUpdate leaderUptimeMs. */
            leaderUptimeMs: number;

            /** StateUpdate hasQuorum. */
            hasQuorum: boolean;

            /** StateUpdate maintenance. */
            maintenance: boolean;

            /** StateUpdate leaseMs. */
            leaseMs: number;

            /** StateUpdate leaseEndUptimeMs. */
            leaseEndUptimeMs: number;

            /** StateUpdate leaseObservedUptimeMs. */
            leaseObservedUptimeMs: number;

            /** StateUpdate leaseObservedSeq. */
            leaseObservedSeq: number;

            /**
             * Creates a new StateUpdate instance using the specified properties.
             * @param [properties] Properties to set
             * @returns StateUpdate instance
             */
            static create(properties: koi.wire.StateUpdate.$Shape): koi.wire.StateUpdate & koi.wire.StateUpdate.$Shape;
            static create(properties?: koi.wire.StateUpdate.$Properties): koi.wire.StateUpdate;

            /**
             * Encodes the specified StateUpdate message. Does not implicitly {@link koi.wire.StateUpdate.verify|verify} messages.
             * @param message StateUpdate message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.StateUpdate.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a StateUpdate message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.StateUpdate & koi.wire.StateUpdate.$Shape} StateUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.StateUpdate & koi.wire.StateUpdate.$Shape;

            /**
             * Gets the type url for StateUpdate
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace StateUpdate {

            /** Properties of a StateUpdate. */
            interface $Properties {

                /** StateUpdate masterId */
                masterId?: (Uint8Array|null);

                /** StateUpdate masterName */
                masterName?: (string|null);

                /** StateUpdate masterAddress */
                masterAddress?: (koi.wire.Address.$Properties|null);

                /** StateUpdate leaderName */
                leaderName?: (string|null);

                /** StateUpdate leaderUptimeMs */
                leaderUptimeMs?: (number|null);

                /** StateUpdate hasQuorum */
                hasQuorum?: (boolean|null);

                /** StateUpdate maintenance */
                maintenance?: (boolean|null);

                /** StateUpdate leaseMs */
                leaseMs?: (number|null);

                /** StateUpdate leaseEndUptimeMs */
                leaseEndUptimeMs?: (number|null);

                /** StateUpdate leaseObservedUptimeMs */
                leaseObservedUptimeMs?: (number|null);

                /** StateUpdate leaseObservedSeq */
                leaseObservedSeq?: (number|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a StateUpdate. */
            type $Shape = koi.wire.StateUpdate.$Properties;
        }

        /**
         * Properties of an AdminRequest.
         * @deprecated Use koi.wire.AdminRequest.$Properties instead.
         */
        interface IAdminRequest extends koi.wire.AdminRequest.$Properties {
        }

        /** Represents an AdminRequest. */
        class AdminRequest {

            /**
             * Constructs a new AdminRequest.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.AdminRequest.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** AdminRequest requestId. */
            requestId: string;

            /** AdminRequest command. */
            command: string;

            /** AdminRequest args. */
            args: string[];

            /** AdminRequest hops. */
            hops: number;

            /** AdminRequest challenge. */
            challenge: boolean;

            /** AdminRequest target. */
            target: Uint8Array;

            /** AdminRequest nonce. */
            nonce: Uint8Array;

            /**
             * Creates a new AdminRequest instance using the specified properties.
             * @param [properties] Properties to set
             * @returns AdminRequest instance
             */
            static create(properties: koi.wire.AdminRequest.$Shape): koi.wire.AdminRequest & koi.wire.AdminRequest.$Shape;
            static create(properties?: koi.wire.AdminRequest.$Properties): koi.wire.AdminRequest;

            /**
             * Encodes the specified AdminRequest message. Does not implicitly {@link koi.wire.AdminRequest.verify|verify} messages.
             * @param message AdminRequest message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.AdminRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an AdminRequest message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.AdminRequest & koi.wire.AdminRequest.$Shape} AdminRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.AdminRequest & koi.wire.AdminRequest.$Shape;

            /**
             * Gets the type url for AdminRequest
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace AdminRequest {

            /** Properties of an AdminRequest. */
            interface $Properties {

                /** AdminRequest requestId */
                requestId?: (string|null);

                /** AdminRequest command */
                command?: (string|null);

                /** AdminRequest args */
                args?: (string[]|null);

                /** AdminRequest hops */
                hops?: (number|null);

                /** AdminRequest challenge */
                challenge?: (boolean|null);

                /** AdminRequest target */
                target?: (Uint8Array|null);

                /** AdminRequest nonce */
                nonce?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an AdminRequest. */
            type $Shape = koi.wire.AdminRequest.$Properties;
        }

        /**
         * Properties of an AdminResponse.
         * @deprecated Use koi.wire.AdminResponse.$Properties instead.
         */
        interface IAdminResponse extends koi.wire.AdminResponse.$Properties {
        }

        /** Represents an AdminResponse. */
        class AdminResponse {

            /**
             * Constructs a new AdminResponse.
             * @param [properties] Properties to set
             */
            constructor(properties?: koi.wire.AdminResponse.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** AdminResponse requestId. */
            requestId: string;

            /** AdminResponse exitCode. */
            exitCode: number;

            /** AdminResponse text. */
            text: string;

            /** AdminResponse json. */
            json: string;

            /** AdminResponse nonce. */
            nonce: Uint8Array;

            /** AdminResponse nodeId. */
            nodeId: Uint8Array;

            /**
             * Creates a new AdminResponse instance using the specified properties.
             * @param [properties] Properties to set
             * @returns AdminResponse instance
             */
            static create(properties: koi.wire.AdminResponse.$Shape): koi.wire.AdminResponse & koi.wire.AdminResponse.$Shape;
            static create(properties?: koi.wire.AdminResponse.$Properties): koi.wire.AdminResponse;

            /**
             * Encodes the specified AdminResponse message. Does not implicitly {@link koi.wire.AdminResponse.verify|verify} messages.
             * @param message AdminResponse message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: koi.wire.AdminResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an AdminResponse message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {koi.wire.AdminResponse & koi.wire.AdminResponse.$Shape} AdminResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): koi.wire.AdminResponse & koi.wire.AdminResponse.$Shape;

            /**
             * Gets the type url for AdminResponse
             * @param [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns The type url
             */
            static getTypeUrl(prefix?: string): string;
        }

        namespace AdminResponse {

            /** Properties of an AdminResponse. */
            interface $Properties {

                /** AdminResponse requestId */
                requestId?: (string|null);

                /** AdminResponse exitCode */
                exitCode?: (number|null);

                /** AdminResponse text */
                text?: (string|null);

                /** AdminResponse json */
                json?: (string|null);

                /** AdminResponse nonce */
                nonce?: (Uint8Array|null);

                /** AdminResponse nodeId */
                nodeId?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an AdminResponse. */
            type $Shape = koi.wire.AdminResponse.$Properties;
        }
    }
}

/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
"use strict";

var $protobuf = require("protobufjs/minimal");

// Common aliases
var $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
var $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
var $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

$root.koi = (function() {

    /**
     * Namespace koi.
     * @exports koi
     * @namespace
     */
    var koi = {};

    koi.wire = (function() {

        /**
         * Namespace wire.
         * @memberof koi
         * @namespace
         */
        var wire = {};

        wire.Envelope = (function() {

            /**
             * Properties of an Envelope.
             * @typedef {Object} koi.wire.Envelope.$Properties
             * @property {number|null} [version] Envelope version
             * @property {number|null} [clusterId] Envelope clusterId
             * @property {Uint8Array|null} [senderId] Envelope senderId
             * @property {number|null} [seq] Envelope seq
             * @property {number|null} [sentAt] Envelope sentAt
             * @property {koi.wire.HeartBeat.$Properties|null} [heartbeat] Envelope heartbeat
             * @property {koi.wire.HealthReport.$Properties|null} [health] Envelope health
             * @property {koi.wire.StateUpdate.$Properties|null} [state] Envelope state
             * @property {koi.wire.AdminRequest.$Properties|null} [request] Envelope request
             * @property {koi.wire.AdminResponse.$Properties|null} [response] Envelope response
             * @property {"heartbeat"|"health"|"state"|"request"|"response"} [body] Envelope body
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Envelope.
             * @memberof koi.wire
             * @interface IEnvelope
             * @augments koi.wire.Envelope.$Properties
             * @deprecated Use koi.wire.Envelope.$Properties instead.
             */

            /**
             * Narrowed shape of an Envelope.
             * @typedef {{
             *   version?: number|null;
             *   clusterId?: number|null;
             *   senderId?: Uint8Array|null;
             *   seq?: number|null;
             *   sentAt?: number|null;
             *   heartbeat?: koi.wire.HeartBeat.$Shape|null;
             *   health?: koi.wire.HealthReport.$Shape|null;
             *   state?: koi.wire.StateUpdate.$Shape|null;
             *   request?: koi.wire.AdminRequest.$Shape|null;
             *   response?: koi.wire.AdminResponse.$Shape|null;
             *   $unknowns?: Array.<Uint8Array>;
             * } & (
             *   ({ body?: undefined; heartbeat?: null; health?: null; state?: null; request?: null; response?: null }|{ body?: "heartbeat"; heartbeat: koi.wire.HeartBeat.$Shape; health?: null; state?: null; request?: null; response?: null }|{ body?: "health"; heartbeat?: null; health: koi.wire.HealthReport.$Shape; state?: null; request?: null; response?: null }|{ body?: "state"; heartbeat?: null; health?: null; state: koi.wire.StateUpdate.$Shape; request?: null; response?: null }|{ body?: "request"; heartbeat?: null; health?: null; state?: null; request: koi.wire.AdminRequest.$Shape; response?: null }|{ body?: "response"; heartbeat?: null; health?: null; state?: null; request?: null; response: koi.wire.AdminResponse.$Shape })
             * )} koi.wire.Envelope.$Shape
             */

            /**
             * Constructs a new Envelope.
             * @memberof koi.wire
             * @classdesc Represents an Envelope.
             * @constructor
             * @param {koi.wire.Envelope.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var Envelope = function (properties) {
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Envelope version.
             * @member {number} version
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.version = 0;

            /**
             * Envelope clusterId.
             * @member {number} clusterId
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.clusterId = 0;

            /**
             * Envelope senderId.
             * @member {Uint8Array} senderId
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.senderId = $util.newBuffer([]);

            /**
             * Envelope seq.
             * @member {number} seq
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Envelope sentAt.
             * @member {number} sentAt
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.sentAt = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Envelope heartbeat.
             * @member {koi.wire.HeartBeat.$Properties|null|undefined} heartbeat
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.heartbeat = null;

            /**
             * Envelope health.
             * @member {koi.wire.HealthReport.$Properties|null|undefined} health
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.health = null;

            /**
             * Envelope state.
             * @member {koi.wire.StateUpdate.$Properties|null|undefined} state
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.state = null;

            /**
             * Envelope request.
             * @member {koi.wire.AdminRequest.$Properties|null|undefined} request
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.request = null;

            /**
             * Envelope response.
             * @member {koi.wire.AdminResponse.$Properties|null|undefined} response
             * @memberof koi.wire.Envelope
             * @instance
             */
            Envelope.prototype.response = null;

            // OneOf field names bound to virtual getters and setters
            var $oneOfFields;

            /**
             * Envelope body.
             * @member {"heartbeat"|"health"|"state"|"request"|"response"|undefined} body
             * @memberof koi.wire.Envelope
             * @instance
             */
            $Object.defineProperty(Envelope.prototype, "body", {
                get: $util.oneOfGetter($oneOfFields = ["heartbeat", "health", "state", "request", "response"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new Envelope instance using the specified properties.
             * @function create
             * @memberof koi.wire.Envelope
             * @static
             * @param {koi.wire.Envelope.$Properties=} [properties] Properties to set
             * @returns {koi.wire.Envelope} Envelope instance
             * @type {{
             *   (properties: koi.wire.Envelope.$Shape): koi.wire.Envelope & koi.wire.Envelope.$Shape;
             *   (properties?: koi.wire.Envelope.$Properties): koi.wire.Envelope;
             * }}
             */
            Envelope.create = function(properties) {
                return new Envelope(properties);
            };

            /**
             * Encodes the specified Envelope message. Does not implicitly {@link koi.wire.Envelope.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.Envelope
             * @static
             * @param {koi.wire.Envelope.$Properties} message Envelope message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Envelope.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.version != null && $Object.hasOwnProperty.call(message, "version") && message.version !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.version);
                if (message.clusterId != null && $Object.hasOwnProperty.call(message, "clusterId") && message.clusterId !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.clusterId);
                if (message.senderId != null && $Object.hasOwnProperty.call(message, "senderId") && message.senderId.length)
                    writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.senderId);
                if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && (typeof message.seq === "object" ? message.seq.low || message.seq.high : message.seq !== 0))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.seq);
                if (message.sentAt != null && $Object.hasOwnProperty.call(message, "sentAt") && (typeof message.sentAt === "object" ? message.sentAt.low || message.sentAt.high : message.sentAt !== 0))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.sentAt);
                if (message.heartbeat != null && $Object.hasOwnProperty.call(message, "heartbeat"))
                    $root.koi.wire.HeartBeat.encode(message.heartbeat, writer.uint32(/* id 10, wireType 2 =*/82).fork(), _depth + 1).ldelim();
                if (message.health != null && $Object.hasOwnProperty.call(message, "health"))
                    $root.koi.wire.HealthReport.encode(message.health, writer.uint32(/* id 11, wireType 2 =*/90).fork(), _depth + 1).ldelim();
                if (message.state != null && $Object.hasOwnProperty.call(message, "state"))
                    $root.koi.wire.StateUpdate.encode(message.state, writer.uint32(/* id 12, wireType 2 =*/98).fork(), _depth + 1).ldelim();
                if (message.request != null && $Object.hasOwnProperty.call(message, "request"))
                    $root.koi.wire.AdminRequest.encode(message.request, writer.uint32(/* id 13, wireType 2 =*/106).fork(), _depth + 1).ldelim();
                if (message.response != null && $Object.hasOwnProperty.call(message, "response"))
                    $root.koi.wire.AdminResponse.encode(message.response, writer.uint32(/* id 14, wireType 2 =*/114).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an Envelope message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.Envelope
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.Envelope & koi.wire.Envelope.$Shape} Envelope
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Envelope.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.Envelope();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.version = value;
                            else
                                delete message.version;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.clusterId = value;
                            else
                                delete message.clusterId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.senderId = value;
                            else
                                delete message.senderId;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.seq = value;
                            else
                                delete message.seq;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.sentAt = value;
                            else
                                delete message.sentAt;
                            continue;
                        }
                    case 10: {
                            if (wireType !== 2)
                                break;
                            message.heartbeat = $root.koi.wire.HeartBeat.decode(reader, reader.size(), $undefined, _depth + 1, message.heartbeat);
                            message.body = "heartbeat";
                            continue;
                        }
                    case 11: {
                            if (wireType !== 2)
                                break;
                            message.health = $root.koi.wire.HealthReport.decode(reader, reader.size(), $undefined, _depth + 1, message.health);
                            message.body = "health";
                            continue;
                        }
                    case 12: {
                            if (wireType !== 2)
                                break;
                            message.state = $root.koi.wire.StateUpdate.decode(reader, reader.size(), $undefined, _depth + 1, message.state);
                            message.body = "state";
                            continue;
                        }
                    case 13: {
                            if (wireType !== 2)
                                break;
                            message.request = $root.koi.wire.AdminRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.request);
                            message.body = "request";
                            continue;
                        }
                    case 14: {
                            if (wireType !== 2)
                                break;
                            message.response = $root.koi.wire.AdminResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.response);
                            message.body = "response";
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Envelope
             * @function getTypeUrl
             * @memberof koi.wire.Envelope
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Envelope.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.Envelope";
            };

            return Envelope;
        })();

        wire.Address = (function() {

            /**
             * Properties of an Address.
             * @typedef {Object} koi.wire.Address.$Properties
             * @property {Uint8Array|null} [ip] Address ip
             * @property {number|null} [port] Address port
             * @property {string|null} [zone] Address zone
             * @property {string|null} [text] Address text
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Address.
             * @memberof koi.wire
             * @interface IAddress
             * @augments koi.wire.Address.$Properties
             * @deprecated Use koi.wire.Address.$Properties instead.
             */

            /**
             * Shape of an Address.
             * @typedef {koi.wire.Address.$Properties} koi.wire.Address.$Shape
             */

            /**
             * Constructs a new Address.
             * @memberof koi.wire
             * @classdesc Represents an Address.
             * @constructor
             * @param {koi.wire.Address.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var Address = function (properties) {
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Address ip.
             * @member {Uint8Array} ip
             * @memberof koi.wire.Address
             * @instance
             */
            Address.prototype.ip = $util.newBuffer([]);

            /**
             * Address port.
             * @member {number} port
             * @memberof koi.wire.Address
             * @instance
             */
            Address.prototype.port = 0;

            /**
             * Address zone.
             * @member {string} zone
             * @memberof koi.wire.Address
             * @instance
             */
            Address.prototype.zone = "";

            /**
             * Address text.
             * @member {string} text
             * @memberof koi.wire.Address
             * @instance
             */
            Address.prototype.text = "";

            /**
             * Creates a new Address instance using the specified properties.
             * @function create
             * @memberof koi.wire.Address
             * @static
             * @param {koi.wire.Address.$Properties=} [properties] Properties to set
             * @returns {koi.wire.Address} Address instance
             * @type {{
             *   (properties: koi.wire.Address.$Shape): koi.wire.Address & koi.wire.Address.$Shape;
             *   (properties?: koi.wire.Address.$Properties): koi.wire.Address;
             * }}
             */
            Address.create = function(properties) {
                return new Address(properties);
            };

            /**
             * Encodes the specified Address message. Does not implicitly {@link koi.wire.Address.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.Address
             * @static
             * @param {koi.wire.Address.$Properties} message Address message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Address.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.ip != null && $Object.hasOwnProperty.call(message, "ip") && message.ip.length)
                    writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.ip);
                if (message.port != null && $Object.hasOwnProperty.call(message, "port") && message.port !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.port);
                if (message.zone != null && $Object.hasOwnProperty.call(message, "zone") && message.zone !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.zone);
                if (message.text != null && $Object.hasOwnProperty.call(message, "text") && message.text !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.text);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an Address message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.Address
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.Address & koi.wire.Address.$Shape} Address
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Address.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.Address();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.ip = value;
                            else
                                delete message.ip;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.port = value;
                            else
                                delete message.port;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.zone = value;
                            else
                                delete message.zone;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.text = value;
                            else
                                delete message.text;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for Address
             * @function getTypeUrl
             * @memberof koi.wire.Address
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            Address.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.Address";
            };

            return Address;
        })();

        wire.ClusterNodeInfo = (function() {

            /**
             * Properties of a ClusterNodeInfo.
             * @typedef {Object} koi.wire.ClusterNodeInfo.$Properties
             * @property {Uint8Array|null} [id] ClusterNodeInfo id
             * @property {string|null} [name] ClusterNodeInfo name
             * @property {number|null} [flags] ClusterNodeInfo flags
             * @property {Array.<koi.wire.Address.$Properties>|null} [addresses] ClusterNodeInfo addresses
             * @property {number|null} [lastSeenAgoMs] ClusterNodeInfo lastSeenAgoMs
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a ClusterNodeInfo.
             * @memberof koi.wire
             * @interface IClusterNodeInfo
             * @augments koi.wire.ClusterNodeInfo.$Properties
             * @deprecated Use koi.wire.ClusterNodeInfo.$Properties instead.
             */

            /**
             * Shape of a ClusterNodeInfo.
             * @typedef {koi.wire.ClusterNodeInfo.$Properties} koi.wire.ClusterNodeInfo.$Shape
             */

            /**
             * Constructs a new ClusterNodeInfo.
             * @memberof koi.wire
             * @classdesc Represents a ClusterNodeInfo.
             * @constructor
             * @param {koi.wire.ClusterNodeInfo.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var ClusterNodeInfo = function (properties) {
                this.addresses = [];
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * ClusterNodeInfo id.
             * @member {Uint8Array} id
             * @memberof koi.wire.ClusterNodeInfo
             * @instance
             */
            ClusterNodeInfo.prototype.id = $util.newBuffer([]);

            /**
             * ClusterNodeInfo name.
             * @member {string} name
             * @memberof koi.wire.ClusterNodeInfo
             * @instance
             */
            ClusterNodeInfo.prototype.name = "";

            /**
             * ClusterNodeInfo flags.
             * @member {number} flags
             * @memberof koi.wire.ClusterNodeInfo
             * @instance
             */
            ClusterNodeInfo.prototype.flags = 0;

            /**
             * ClusterNodeInfo addresses.
             * @member {Array.<koi.wire.Address.$Properties>} addresses
             * @memberof koi.wire.ClusterNodeInfo
             * @instance
             */
            ClusterNodeInfo.prototype.addresses = $util.emptyArray;

            /**
             * ClusterNodeInfo lastSeenAgoMs.
             * @member {number} lastSeenAgoMs
             * @memberof koi.wire.ClusterNodeInfo
             * @instance
             */
            ClusterNodeInfo.prototype.lastSeenAgoMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new ClusterNodeInfo instance using the specified properties.
             * @function create
             * @memberof koi.wire.ClusterNodeInfo
             * @static
             * @param {koi.wire.ClusterNodeInfo.$Properties=} [properties] Properties to set
             * @returns {koi.wire.ClusterNodeInfo} ClusterNodeInfo instance
             * @type {{
             *   (properties: koi.wire.ClusterNodeInfo.$Shape): koi.wire.ClusterNodeInfo & koi.wire.ClusterNodeInfo.$Shape;
             *   (properties?: koi.wire.ClusterNodeInfo.$Properties): koi.wire.ClusterNodeInfo;
             * }}
             */
            ClusterNodeInfo.create = function(properties) {
                return new ClusterNodeInfo(properties);
            };

            /**
             * Encodes the specified ClusterNodeInfo message. Does not implicitly {@link koi.wire.ClusterNodeInfo.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.ClusterNodeInfo
             * @static
             * @param {koi.wire.ClusterNodeInfo.$Properties} message ClusterNodeInfo message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ClusterNodeInfo.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.id != null && $Object.hasOwnProperty.call(message, "id") && message.id.length)
                    writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.id);
                if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.name);
                if (message.flags != null && $Object.hasOwnProperty.call(message, "flags") && message.flags !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.flags);
                if (message.addresses != null && message.addresses.length)
                    for (var i = 0; i < message.addresses.length; ++i)
                        $root.koi.wire.Address.encode(message.addresses[i], writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                if (message.lastSeenAgoMs != null && $Object.hasOwnProperty.call(message, "lastSeenAgoMs") && (typeof message.lastSeenAgoMs === "object" ? message.lastSeenAgoMs.low || message.lastSeenAgoMs.high : message.lastSeenAgoMs !== 0))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.lastSeenAgoMs);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a ClusterNodeInfo message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.ClusterNodeInfo
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.ClusterNodeInfo & koi.wire.ClusterNodeInfo.$Shape} ClusterNodeInfo
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ClusterNodeInfo.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.ClusterNodeInfo();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.id = value;
                            else
                                delete message.id;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.name = value;
                            else
                                delete message.name;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.flags = value;
                            else
                                delete message.flags;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if (!(message.addresses && message.addresses.length))
                                message.addresses = [];
                            message.addresses.push($root.koi.wire.Address.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.lastSeenAgoMs = value;
                            else
                                delete message.lastSeenAgoMs;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for ClusterNodeInfo
             * @function getTypeUrl
             * @memberof koi.wire.ClusterNodeInfo
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            ClusterNodeInfo.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.ClusterNodeInfo";
            };

            return ClusterNodeInfo;
        })();

        wire.ClusterView = (function() {

            /**
             * Properties of a ClusterView.
             * @typedef {Object} koi.wire.ClusterView.$Properties
             * @property {Uint8Array|null} [leaderId] ClusterView leaderId
             * @property {Uint8Array|null} [masterId] ClusterView masterId
             * @property {string|null} [masterName] ClusterView masterName
             * @property {boolean|null} [maintenance] ClusterView maintenance
             * @property {boolean|null} [manualMaster] ClusterView manualMaster
             * @property {Array.<koi.wire.ClusterNodeInfo.$Properties>|null} [nodes] ClusterView nodes
             * @property {Uint8Array|null} [previousMasterId] ClusterView previousMasterId
             * @property {string|null} [previousMasterName] ClusterView previousMasterName
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a ClusterView.
             * @memberof koi.wire
             * @interface IClusterView
             * @augments koi.wire.ClusterView.$Properties
             * @deprecated Use koi.wire.ClusterView.$Properties instead.
             */

            /**
             * Shape of a ClusterView.
             * @typedef {koi.wire.ClusterView.$Properties} koi.wire.ClusterView.$Shape
             */

            /**
             * Constructs a new ClusterView.
             * @memberof koi.wire
             * @classdesc Represents a ClusterView.
             * @constructor
             * @param {koi.wire.ClusterView.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var ClusterView = function (properties) {
                this.nodes = [];
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * ClusterView leaderId.
             * @member {Uint8Array} leaderId
             * @memberof koi.wire.ClusterView
             * @instance
             */
            ClusterView.prototype.leaderId = $util.newBuffer([]);

            /**
             * ClusterView masterId.
             * @member {Uint8Array} masterId
             * @memberof koi.wire.ClusterView
             * @instance
             */
            ClusterView.prototype.masterId = $util.newBuffer([]);

            /**
             * ClusterView masterName.
             * @member {string} masterName
             * @memberof koi.wire.ClusterView
             * @instance
             */
            ClusterView.prototype.masterName = "";

            /**
             * ClusterView maintenance.
             * @member {boolean} maintenance
             * @memberof koi.wire.ClusterView
             * @instance
             */
            ClusterView.prototype.maintenance = false;

            /**
             * ClusterView manualMaster.
             * @member {boolean} manualMaster
             * @memberof koi.wire.ClusterView
             * @instance
             */
            ClusterView.prototype.manualMaster = false;

            /**
             * ClusterView nodes.
             * @member {Array.<koi.wire.ClusterNodeInfo.$Properties>} nodes
             * @memberof koi.wire.ClusterView
             * @instance
             */
            ClusterView.prototype.nodes = $util.emptyArray;

            /**
             * ClusterView previousMasterId.
             * @member {Uint8Array} previousMasterId
             * @memberof koi.wire.ClusterView
             * @instance
             */
            ClusterView.prototype.previousMasterId = $util.newBuffer([]);

            /**
             * ClusterView previousMasterName.
             * @member {string} previousMasterName
             * @memberof koi.wire.ClusterView
             * @instance
             */
            ClusterView.prototype.previousMasterName = "";

            /**
             * Creates a new ClusterView instance using the specified properties.
             * @function create
             * @memberof koi.wire.ClusterView
             * @static
             * @param {koi.wire.ClusterView.$Properties=} [properties] Properties to set
             * @returns {koi.wire.ClusterView} ClusterView instance
             * @type {{
             *   (properties: koi.wire.ClusterView.$Shape): koi.wire.ClusterView & koi.wire.ClusterView.$Shape;
             *   (properties?: koi.wire.ClusterView.$Properties): koi.wire.ClusterView;
             * }}
             */
            ClusterView.create = function(properties) {
                return new ClusterView(properties);
            };

            /**
             * Encodes the specified ClusterView message. Does not implicitly {@link koi.wire.ClusterView.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.ClusterView
             * @static
             * @param {koi.wire.ClusterView.$Properties} message ClusterView message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ClusterView.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.leaderId != null && $Object.hasOwnProperty.call(message, "leaderId") && message.leaderId.length)
                    writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.leaderId);
                if (message.masterId != null && $Object.hasOwnProperty.call(message, "masterId") && message.masterId.length)
                    writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.masterId);
                if (message.masterName != null && $Object.hasOwnProperty.call(message, "masterName") && message.masterName !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.masterName);
                if (message.maintenance != null && $Object.hasOwnProperty.call(message, "maintenance") && message.maintenance !== false)
                    writer.uint32(/* id 4, wireType 0 =*/32).bool(message.maintenance);
                if (message.manualMaster != null && $Object.hasOwnProperty.call(message, "manualMaster") && message.manualMaster !== false)
                    writer.uint32(/* id 5, wireType 0 =*/40).bool(message.manualMaster);
                if (message.nodes != null && message.nodes.length)
                    for (var i = 0; i < message.nodes.length; ++i)
                        $root.koi.wire.ClusterNodeInfo.encode(message.nodes[i], writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                if (message.previousMasterId != null && $Object.hasOwnProperty.call(message, "previousMasterId") && message.previousMasterId.length)
                    writer.uint32(/* id 7, wireType 2 =*/58).bytes(message.previousMasterId);
                if (message.previousMasterName != null && $Object.hasOwnProperty.call(message, "previousMasterName") && message.previousMasterName !== "")
                    writer.uint32(/* id 8, wireType 2 =*/66).string(message.previousMasterName);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a ClusterView message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.ClusterView
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.ClusterView & koi.wire.ClusterView.$Shape} ClusterView
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ClusterView.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.ClusterView();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.leaderId = value;
                            else
                                delete message.leaderId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.masterId = value;
                            else
                                delete message.masterId;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.masterName = value;
                            else
                                delete message.masterName;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.maintenance = value;
                            else
                                delete message.maintenance;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.manualMaster = value;
                            else
                                delete message.manualMaster;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            if (!(message.nodes && message.nodes.length))
                                message.nodes = [];
                            message.nodes.push($root.koi.wire.ClusterNodeInfo.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.previousMasterId = value;
                            else
                                delete message.previousMasterId;
                            continue;
                        }
                    case 8: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.previousMasterName = value;
                            else
                                delete message.previousMasterName;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for ClusterView
             * @function getTypeUrl
             * @memberof koi.wire.ClusterView
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            ClusterView.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.ClusterView";
            };

            return ClusterView;
        })();

        wire.HeartBeat = (function() {

            /**
             * Properties of a HeartBeat.
             * @typedef {Object} koi.wire.HeartBeat.$Properties
             * @property {string|null} [name] HeartBeat name
             * @property {number|null} [flags] HeartBeat flags
             * @property {koi.wire.Address.$Properties|null} [seenAddress] HeartBeat seenAddress
             * @property {number|null} [uptimeMs] HeartBeat uptimeMs
             * @property {koi.wire.ClusterView.$Properties|null} [view] HeartBeat view
             * @property {number|null} [holdMs] HeartBeat holdMs
             * @property {number|null} [ackWindowMs] HeartBeat ackWindowMs
             * @property {number|null} [answersUptimeMs] HeartBeat answersUptimeMs
             * @property {Uint8Array|null} [answersLeaderId] HeartBeat answersLeaderId
             * @property {number|null} [answersFreeAgoMs] HeartBeat answersFreeAgoMs
             * @property {Uint8Array|null} [knownMasterId] HeartBeat knownMasterId
             * @property {string|null} [knownMasterName] HeartBeat knownMasterName
             * @property {number|null} [relayedHoldMs] HeartBeat relayedHoldMs
             * @property {Array.<koi.wire.RiderStateUpdate.$Properties>|null} [stateUpdates] HeartBeat stateUpdates
             * @property {koi.wire.HealthReport.$Properties|null} [health] HeartBeat health
             * @property {Uint8Array|null} [healthLeaderId] HeartBeat healthLeaderId
             * @property {number|null} [uptimeSinceSeq] HeartBeat uptimeSinceSeq
             * @property {number|null} [answersSinceSeq] HeartBeat answersSinceSeq
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a HeartBeat.
             * @memberof koi.wire
             * @interface IHeartBeat
             * @augments koi.wire.HeartBeat.$Properties
             * @deprecated Use koi.wire.HeartBeat.$Properties instead.
             */

            /**
             * Shape of a HeartBeat.
             * @typedef {koi.wire.HeartBeat.$Properties} koi.wire.HeartBeat.$Shape
             */

            /**
             * Constructs a new HeartBeat.
             * @memberof koi.wire
             * @classdesc Represents a HeartBeat.
             * @constructor
             * @param {koi.wire.HeartBeat.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var HeartBeat = function (properties) {
                this.stateUpdates = [];
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * HeartBeat name.
             * @member {string} name
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.name = "";

            /**
             * HeartBeat flags.
             * @member {number} flags
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.flags = 0;

            /**
             * HeartBeat seenAddress.
             * @member {koi.wire.Address.$Properties|null|undefined} seenAddress
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.seenAddress = null;

            /**
             * HeartBeat uptimeMs.
             * @member {number} uptimeMs
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.uptimeMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * HeartBeat view.
             * @member {koi.wire.ClusterView.$Properties|null|undefined} view
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.view = null;

            /**
             * HeartBeat holdMs.
             * @member {number} holdMs
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.holdMs = 0;

            /**
             * HeartBeat ackWindowMs.
             * @member {number} ackWindowMs
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.ackWindowMs = 0;

            /**
             * HeartBeat answersUptimeMs.
             * @member {number} answersUptimeMs
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.answersUptimeMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * HeartBeat answersLeaderId.
             * @member {Uint8Array} answersLeaderId
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.answersLeaderId = $util.newBuffer([]);

            /**
             * HeartBeat answersFreeAgoMs.
             * @member {number} answersFreeAgoMs
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.answersFreeAgoMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * HeartBeat knownMasterId.
             * @member {Uint8Array} knownMasterId
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.knownMasterId = $util.newBuffer([]);

            /**
             * HeartBeat knownMasterName.
             * @member {string} knownMasterName
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.knownMasterName = "";

            /**
             * HeartBeat relayedHoldMs.
             * @member {number} relayedHoldMs
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.relayedHoldMs = 0;

            /**
             * HeartBeat stateUpdates.
             * @member {Array.<koi.wire.RiderStateUpdate.$Properties>} stateUpdates
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.stateUpdates = $util.emptyArray;

            /**
             * HeartBeat health.
             * @member {koi.wire.HealthReport.$Properties|null|undefined} health
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.health = null;

            /**
             * HeartBeat healthLeaderId.
             * @member {Uint8Array} healthLeaderId
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.healthLeaderId = $util.newBuffer([]);

            /**
             * HeartBeat uptimeSinceSeq.
             * @member {number} uptimeSinceSeq
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.uptimeSinceSeq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * HeartBeat answersSinceSeq.
             * @member {number} answersSinceSeq
             * @memberof koi.wire.HeartBeat
             * @instance
             */
            HeartBeat.prototype.answersSinceSeq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new HeartBeat instance using the specified properties.
             * @function create
             * @memberof koi.wire.HeartBeat
             * @static
             * @param {koi.wire.HeartBeat.$Properties=} [properties] Properties to set
             * @returns {koi.wire.HeartBeat} HeartBeat instance
             * @type {{
             *   (properties: koi.wire.HeartBeat.$Shape): koi.wire.HeartBeat & koi.wire.HeartBeat.$Shape;
             *   (properties?: koi.wire.HeartBeat.$Properties): koi.wire.HeartBeat;
             * }}
             */
            HeartBeat.create = function(properties) {
                return new HeartBeat(properties);
            };

            /**
             * Encodes the specified HeartBeat message. Does not implicitly {@link koi.wire.HeartBeat.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.HeartBeat
             * @static
             * @param {koi.wire.HeartBeat.$Properties} message HeartBeat message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            HeartBeat.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.name);
                if (message.flags != null && $Object.hasOwnProperty.call(message, "flags") && message.flags !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.flags);
                if (message.seenAddress != null && $Object.hasOwnProperty.call(message, "seenAddress"))
                    $root.koi.wire.Address.encode(message.seenAddress, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                if (message.uptimeMs != null && $Object.hasOwnProperty.call(message, "uptimeMs") && (typeof message.uptimeMs === "object" ? message.uptimeMs.low || message.uptimeMs.high : message.uptimeMs !== 0))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.uptimeMs);
                if (message.view != null && $Object.hasOwnProperty.call(message, "view"))
                    $root.koi.wire.ClusterView.encode(message.view, writer.uint32(/* id 5, wireType 2 =*/42).fork(), _depth + 1).ldelim();
                if (message.holdMs != null && $Object.hasOwnProperty.call(message, "holdMs") && message.holdMs !== 0)
                    writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.holdMs);
                if (message.ackWindowMs != null && $Object.hasOwnProperty.call(message, "ackWindowMs") && message.ackWindowMs !== 0)
                    writer.uint32(/* id 7, wireType 0 =*/56).uint32(message.ackWindowMs);
                if (message.answersUptimeMs != null && $Object.hasOwnProperty.call(message, "answersUptimeMs") && (typeof message.answersUptimeMs === "object" ? message.answersUptimeMs.low || message.answersUptimeMs.high : message.answersUptimeMs !== 0))
                    writer.uint32(/* id 8, wireType 0 =*/64).uint64(message.answersUptimeMs);
                if (message.knownMasterId != null && $Object.hasOwnProperty.call(message, "knownMasterId") && message.knownMasterId.length)
                    writer.uint32(/* id 9, wireType 2 =*/74).bytes(message.knownMasterId);
                if (message.knownMasterName != null && $Object.hasOwnProperty.call(message, "knownMasterName") && message.knownMasterName !== "")
                    writer.uint32(/* id 10, wireType 2 =*/82).string(message.knownMasterName);
                if (message.relayedHoldMs != null && $Object.hasOwnProperty.call(message, "relayedHoldMs") && message.relayedHoldMs !== 0)
                    writer.uint32(/* id 11, wireType 0 =*/88).uint32(message.relayedHoldMs);
                if (message.answersLeaderId != null && $Object.hasOwnProperty.call(message, "answersLeaderId") && message.answersLeaderId.length)
                    writer.uint32(/* id 12, wireType 2 =*/98).bytes(message.answersLeaderId);
                if (message.stateUpdates != null && message.stateUpdates.length)
                    for (var i = 0; i < message.stateUpdates.length; ++i)
                        $root.koi.wire.RiderStateUpdate.encode(message.stateUpdates[i], writer.uint32(/* id 13, wireType 2 =*/106).fork(), _depth + 1).ldelim();
                if (message.health != null && $Object.hasOwnProperty.call(message, "health"))
                    $root.koi.wire.HealthReport.encode(message.health, writer.uint32(/* id 14, wireType 2 =*/114).fork(), _depth + 1).ldelim();
                if (message.healthLeaderId != null && $Object.hasOwnProperty.call(message, "healthLeaderId") && message.healthLeaderId.length)
                    writer.uint32(/* id 15, wireType 2 =*/122).bytes(message.healthLeaderId);
                if (message.answersFreeAgoMs != null && $Object.hasOwnProperty.call(message, "answersFreeAgoMs") && (typeof message.answersFreeAgoMs === "object" ? message.answersFreeAgoMs.low || message.answersFreeAgoMs.high : message.answersFreeAgoMs !== 0))
                    writer.uint32(/* id 16, wireType 0 =*/128).sint64(message.answersFreeAgoMs);
                if (message.uptimeSinceSeq != null && $Object.hasOwnProperty.call(message, "uptimeSinceSeq") && (typeof message.uptimeSinceSeq === "object" ? message.uptimeSinceSeq.low || message.uptimeSinceSeq.high : message.uptimeSinceSeq !== 0))
                    writer.uint32(/* id 17, wireType 0 =*/136).uint64(message.uptimeSinceSeq);
                if (message.answersSinceSeq != null && $Object.hasOwnProperty.call(message, "answersSinceSeq") && (typeof message.answersSinceSeq === "object" ? message.answersSinceSeq.low || message.answersSinceSeq.high : message.answersSinceSeq !== 0))
                    writer.uint32(/* id 18, wireType 0 =*/144).uint64(message.answersSinceSeq);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a HeartBeat message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.HeartBeat
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.HeartBeat & koi.wire.HeartBeat.$Shape} HeartBeat
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            HeartBeat.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.HeartBeat();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.name = value;
                            else
                                delete message.name;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.flags = value;
                            else
                                delete message.flags;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            message.seenAddress = $root.koi.wire.Address.decode(reader, reader.size(), $undefined, _depth + 1, message.seenAddress);
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.uptimeMs = value;
                            else
                                delete message.uptimeMs;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            message.view = $root.koi.wire.ClusterView.decode(reader, reader.size(), $undefined, _depth + 1, message.view);
                            continue;
                        }
                    case 6: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.holdMs = value;
                            else
                                delete message.holdMs;
                            continue;
                        }
                    case 7: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.ackWindowMs = value;
                            else
                                delete message.ackWindowMs;
                            continue;
                        }
                    case 8: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.answersUptimeMs = value;
                            else
                                delete message.answersUptimeMs;
                            continue;
                        }
                    case 12: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.answersLeaderId = value;
                            else
                                delete message.answersLeaderId;
                            continue;
                        }
                    case 16: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.sint64()) === "object" ? value.low || value.high : value !== 0)
                                message.answersFreeAgoMs = value;
                            else
                                delete message.answersFreeAgoMs;
                            continue;
                        }
                    case 9: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.knownMasterId = value;
                            else
                                delete message.knownMasterId;
                            continue;
                        }
                    case 10: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.knownMasterName = value;
                            else
                                delete message.knownMasterName;
                            continue;
                        }
                    case 11: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.relayedHoldMs = value;
                            else
                                delete message.relayedHoldMs;
                            continue;
                        }
                    case 13: {
                            if (wireType !== 2)
                                break;
                            if (!(message.stateUpdates && message.stateUpdates.length))
                                message.stateUpdates = [];
                            message.stateUpdates.push($root.koi.wire.RiderStateUpdate.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 14: {
                            if (wireType !== 2)
                                break;
                            message.health = $root.koi.wire.HealthReport.decode(reader, reader.size(), $undefined, _depth + 1, message.health);
                            continue;
                        }
                    case 15: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.healthLeaderId = value;
                            else
                                delete message.healthLeaderId;
                            continue;
                        }
                    case 17: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.uptimeSinceSeq = value;
                            else
                                delete message.uptimeSinceSeq;
                            continue;
                        }
                    case 18: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.answersSinceSeq = value;
                            else
                                delete message.answersSinceSeq;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for HeartBeat
             * @function getTypeUrl
             * @memberof koi.wire.HeartBeat
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            HeartBeat.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.HeartBeat";
            };

            return HeartBeat;
        })();

        wire.RiderStateUpdate = (function() {

            /**
             * Properties of a RiderStateUpdate.
             * @typedef {Object} koi.wire.RiderStateUpdate.$Properties
             * @property {Uint8Array|null} [runnerId] RiderStateUpdate runnerId
             * @property {koi.wire.StateUpdate.$Properties|null} [update] RiderStateUpdate update
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a RiderStateUpdate.
             * @memberof koi.wire
             * @interface IRiderStateUpdate
             * @augments koi.wire.RiderStateUpdate.$Properties
             * @deprecated Use koi.wire.RiderStateUpdate.$Properties instead.
             */

            /**
             * Shape of a RiderStateUpdate.
             * @typedef {koi.wire.RiderStateUpdate.$Properties} koi.wire.RiderStateUpdate.$Shape
             */

            /**
             * Constructs a new RiderStateUpdate.
             * @memberof koi.wire
             * @classdesc Represents a RiderStateUpdate.
             * @constructor
             * @param {koi.wire.RiderStateUpdate.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var RiderStateUpdate = function (properties) {
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * RiderStateUpdate runnerId.
             * @member {Uint8Array} runnerId
             * @memberof koi.wire.RiderStateUpdate
             * @instance
             */
            RiderStateUpdate.prototype.runnerId = $util.newBuffer([]);

            /**
             * RiderStateUpdate update.
             * @member {koi.wire.StateUpdate.$Properties|null|undefined} update
             * @memberof koi.wire.RiderStateUpdate
             * @instance
             */
            RiderStateUpdate.prototype.update = null;

            /**
             * Creates a new RiderStateUpdate instance using the specified properties.
             * @function create
             * @memberof koi.wire.RiderStateUpdate
             * @static
             * @param {koi.wire.RiderStateUpdate.$Properties=} [properties] Properties to set
             * @returns {koi.wire.RiderStateUpdate} RiderStateUpdate instance
             * @type {{
             *   (properties: koi.wire.RiderStateUpdate.$Shape): koi.wire.RiderStateUpdate & koi.wire.RiderStateUpdate.$Shape;
             *   (properties?: koi.wire.RiderStateUpdate.$Properties): koi.wire.RiderStateUpdate;
             * }}
             */
            RiderStateUpdate.create = function(properties) {
                return new RiderStateUpdate(properties);
            };

            /**
             * Encodes the specified RiderStateUpdate message. Does not implicitly {@link koi.wire.RiderStateUpdate.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.RiderStateUpdate
             * @static
             * @param {koi.wire.RiderStateUpdate.$Properties} message RiderStateUpdate message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            RiderStateUpdate.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.runnerId != null && $Object.hasOwnProperty.call(message, "runnerId") && message.runnerId.length)
                    writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.runnerId);
                if (message.update != null && $Object.hasOwnProperty.call(message, "update"))
                    $root.koi.wire.StateUpdate.encode(message.update, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a RiderStateUpdate message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.RiderStateUpdate
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.RiderStateUpdate & koi.wire.RiderStateUpdate.$Shape} RiderStateUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            RiderStateUpdate.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.RiderStateUpdate();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.runnerId = value;
                            else
                                delete message.runnerId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            message.update = $root.koi.wire.StateUpdate.decode(reader, reader.size(), $undefined, _depth + 1, message.update);
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for RiderStateUpdate
             * @function getTypeUrl
             * @memberof koi.wire.RiderStateUpdate
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            RiderStateUpdate.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.RiderStateUpdate";
            };

            return RiderStateUpdate;
        })();

        /**
         * RunnerState enum.
         * @name koi.wire.RunnerState
         * @enum {number}
         * @property {number} RUNNER_STATE_UNSPECIFIED=0 RUNNER_STATE_UNSPECIFIED value
         * @property {number} RUNNER_STATE_FAILED=1 RUNNER_STATE_FAILED value
         * @property {number} RUNNER_STATE_DISCONNECTED=2 RUNNER_STATE_DISCONNECTED value
         * @property {number} RUNNER_STATE_STOPPED=3 RUNNER_STATE_STOPPED value
         * @property {number} RUNNER_STATE_LIVE=4 RUNNER_STATE_LIVE value
         * @property {number} RUNNER_STATE_SLAVE=5 RUNNER_STATE_SLAVE value
         * @property {number} RUNNER_STATE_MASTER=6 RUNNER_STATE_MASTER value
         */
        wire.RunnerState = (function() {
            var valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "RUNNER_STATE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "RUNNER_STATE_FAILED"] = 1;
            values[valuesById[2] = "RUNNER_STATE_DISCONNECTED"] = 2;
            values[valuesById[3] = "RUNNER_STATE_STOPPED"] = 3;
            values[valuesById[4] = "RUNNER_STATE_LIVE"] = 4;
            values[valuesById[5] = "RUNNER_STATE_SLAVE"] = 5;
            values[valuesById[6] = "RUNNER_STATE_MASTER"] = 6;
            return values;
        })();

        /**
         * RunnerMode enum.
         * @name koi.wire.RunnerMode
         * @enum {number}
         * @property {number} RUNNER_MODE_UNSPECIFIED=0 RUNNER_MODE_UNSPECIFIED value
         * @property {number} RUNNER_MODE_ACTIVE=1 RUNNER_MODE_ACTIVE value
         * @property {number} RUNNER_MODE_PASSIVE=2 RUNNER_MODE_PASSIVE value
         */
        wire.RunnerMode = (function() {
            var valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "RUNNER_MODE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "RUNNER_MODE_ACTIVE"] = 1;
            values[valuesById[2] = "RUNNER_MODE_PASSIVE"] = 2;
            return values;
        })();

        /**
         * ServiceState enum.
         * @name koi.wire.ServiceState
         * @enum {number}
         * @property {number} SERVICE_STATE_UNSPECIFIED=0 SERVICE_STATE_UNSPECIFIED value
         * @property {number} SERVICE_STATE_FAILED=1 SERVICE_STATE_FAILED value
         * @property {number} SERVICE_STATE_FAILING=2 SERVICE_STATE_FAILING value
         * @property {number} SERVICE_STATE_STOPPED=3 SERVICE_STATE_STOPPED value
         * @property {number} SERVICE_STATE_STOPPING=4 SERVICE_STATE_STOPPING value
         * @property {number} SERVICE_STATE_STARTING=5 SERVICE_STATE_STARTING value
         * @property {number} SERVICE_STATE_STARTED=6 SERVICE_STATE_STARTED value
         * @property {number} SERVICE_STATE_DEMOTING=7 SERVICE_STATE_DEMOTING value
         * @property {number} SERVICE_STATE_PROMOTING=8 SERVICE_STATE_PROMOTING value
         * @property {number} SERVICE_STATE_PROMOTED=9 SERVICE_STATE_PROMOTED value
         */
        wire.ServiceState = (function() {
            var valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "SERVICE_STATE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "SERVICE_STATE_FAILED"] = 1;
            values[valuesById[2] = "SERVICE_STATE_FAILING"] = 2;
            values[valuesById[3] = "SERVICE_STATE_STOPPED"] = 3;
            values[valuesById[4] = "SERVICE_STATE_STOPPING"] = 4;
            values[valuesById[5] = "SERVICE_STATE_STARTING"] = 5;
            values[valuesById[6] = "SERVICE_STATE_STARTED"] = 6;
            values[valuesById[7] = "SERVICE_STATE_DEMOTING"] = 7;
            values[valuesById[8] = "SERVICE_STATE_PROMOTING"] = 8;
            values[valuesById[9] = "SERVICE_STATE_PROMOTED"] = 9;
            return values;
        })();

        /**
         * TargetAction enum.
         * @name koi.wire.TargetAction
         * @enum {number}
         * @property {number} TARGET_ACTION_UNSPECIFIED=0 TARGET_ACTION_UNSPECIFIED value
         * @property {number} TARGET_ACTION_FAIL=1 TARGET_ACTION_FAIL value
         * @property {number} TARGET_ACTION_STOP=2 TARGET_ACTION_STOP value
         * @property {number} TARGET_ACTION_START=3 TARGET_ACTION_START value
         * @property {number} TARGET_ACTION_DEMOTE=4 TARGET_ACTION_DEMOTE value
         * @property {number} TARGET_ACTION_PROMOTE=5 TARGET_ACTION_PROMOTE value
         */
        wire.TargetAction = (function() {
            var valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "TARGET_ACTION_UNSPECIFIED"] = 0;
            values[valuesById[1] = "TARGET_ACTION_FAIL"] = 1;
            values[valuesById[2] = "TARGET_ACTION_STOP"] = 2;
            values[valuesById[3] = "TARGET_ACTION_START"] = 3;
            values[valuesById[4] = "TARGET_ACTION_DEMOTE"] = 4;
            values[valuesById[5] = "TARGET_ACTION_PROMOTE"] = 5;
            return values;
        })();

        wire.ServiceStatusInfo = (function() {

            /**
             * Properties of a ServiceStatusInfo.
             * @typedef {Object} koi.wire.ServiceStatusInfo.$Properties
             * @property {string|null} [name] ServiceStatusInfo name
             * @property {koi.wire.ServiceState|null} [state] ServiceStatusInfo state
             * @property {boolean|null} [disabled] ServiceStatusInfo disabled
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a ServiceStatusInfo.
             * @memberof koi.wire
             * @interface IServiceStatusInfo
             * @augments koi.wire.ServiceStatusInfo.$Properties
             * @deprecated Use koi.wire.ServiceStatusInfo.$Properties instead.
             */

            /**
             * Shape of a ServiceStatusInfo.
             * @typedef {koi.wire.ServiceStatusInfo.$Properties} koi.wire.ServiceStatusInfo.$Shape
             */

            /**
             * Constructs a new ServiceStatusInfo.
             * @memberof koi.wire
             * @classdesc Represents a ServiceStatusInfo.
             * @constructor
             * @param {koi.wire.ServiceStatusInfo.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var ServiceStatusInfo = function (properties) {
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * ServiceStatusInfo name.
             * @member {string} name
             * @memberof koi.wire.ServiceStatusInfo
             * @instance
             */
            ServiceStatusInfo.prototype.name = "";

            /**
             * ServiceStatusInfo state.
             * @member {koi.wire.ServiceState} state
             * @memberof koi.wire.ServiceStatusInfo
             * @instance
             */
            ServiceStatusInfo.prototype.state = 0;

            /**
             * ServiceStatusInfo disabled.
             * @member {boolean} disabled
             * @memberof koi.wire.ServiceStatusInfo
             * @instance
             */
            ServiceStatusInfo.prototype.disabled = false;

            /**
             * Creates a new ServiceStatusInfo instance using the specified properties.
             * @function create
             * @memberof koi.wire.ServiceStatusInfo
             * @static
             * @param {koi.wire.ServiceStatusInfo.$Properties=} [properties] Properties to set
             * @returns {koi.wire.ServiceStatusInfo} ServiceStatusInfo instance
             * @type {{
             *   (properties: koi.wire.ServiceStatusInfo.$Shape): koi.wire.ServiceStatusInfo & koi.wire.ServiceStatusInfo.$Shape;
             *   (properties?: koi.wire.ServiceStatusInfo.$Properties): koi.wire.ServiceStatusInfo;
             * }}
             */
            ServiceStatusInfo.create = function(properties) {
                return new ServiceStatusInfo(properties);
            };

            /**
             * Encodes the specified ServiceStatusInfo message. Does not implicitly {@link koi.wire.ServiceStatusInfo.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.ServiceStatusInfo
             * @static
             * @param {koi.wire.ServiceStatusInfo.$Properties} message ServiceStatusInfo message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ServiceStatusInfo.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.name);
                if (message.state != null && $Object.hasOwnProperty.call(message, "state") && message.state !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.state);
                if (message.disabled != null && $Object.hasOwnProperty.call(message, "disabled") && message.disabled !== false)
                    writer.uint32(/* id 3, wireType 0 =*/24).bool(message.disabled);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a ServiceStatusInfo message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.ServiceStatusInfo
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.ServiceStatusInfo & koi.wire.ServiceStatusInfo.$Shape} ServiceStatusInfo
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ServiceStatusInfo.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.ServiceStatusInfo();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.name = value;
                            else
                                delete message.name;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.state = value;
                            else
                                delete message.state;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.disabled = value;
                            else
                                delete message.disabled;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for ServiceStatusInfo
             * @function getTypeUrl
             * @memberof koi.wire.ServiceStatusInfo
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            ServiceStatusInfo.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.ServiceStatusInfo";
            };

            return ServiceStatusInfo;
        })();

        wire.HealthReport = (function() {

            /**
             * Properties of a HealthReport.
             * @typedef {Object} koi.wire.HealthReport.$Properties
             * @property {string|null} [name] HealthReport name
             * @property {koi.wire.RunnerState|null} [state] HealthReport state
             * @property {koi.wire.RunnerMode|null} [mode] HealthReport mode
             * @property {number|null} [uptimeMs] HealthReport uptimeMs
             * @property {koi.wire.TargetAction|null} [target] HealthReport target
             * @property {Array.<koi.wire.ServiceStatusInfo.$Properties>|null} [services] HealthReport services
             * @property {boolean|null} [promoted] HealthReport promoted
             * @property {number|null} [failCount] HealthReport failCount
             * @property {number|null} [lastFailureAgoMs] HealthReport lastFailureAgoMs
             * @property {string|null} [lastFailureReason] HealthReport lastFailureReason
             * @property {boolean|null} [stopped] HealthReport stopped
             * @property {Array.<string>|null} [lastFailureOutput] HealthReport lastFailureOutput
             * @property {number|null} [appliedUpdateMs] HealthReport appliedUpdateMs
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a HealthReport.
             * @memberof koi.wire
             * @interface IHealthReport
             * @augments koi.wire.HealthReport.$Properties
             * @deprecated Use koi.wire.HealthReport.$Properties instead.
             */

            /**
             * Shape of a HealthReport.
             * @typedef {koi.wire.HealthReport.$Properties} koi.wire.HealthReport.$Shape
             */

            /**
             * Constructs a new HealthReport.
             * @memberof koi.wire
             * @classdesc Represents a HealthReport.
             * @constructor
             * @param {koi.wire.HealthReport.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var HealthReport = function (properties) {
                this.services = [];
                this.lastFailureOutput = [];
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * HealthReport name.
             * @member {string} name
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.name = "";

            /**
             * HealthReport state.
             * @member {koi.wire.RunnerState} state
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.state = 0;

            /**
             * HealthReport mode.
             * @member {koi.wire.RunnerMode} mode
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.mode = 0;

            /**
             * HealthReport uptimeMs.
             * @member {number} uptimeMs
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.uptimeMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * HealthReport target.
             * @member {koi.wire.TargetAction} target
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.target = 0;

            /**
             * HealthReport services.
             * @member {Array.<koi.wire.ServiceStatusInfo.$Properties>} services
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.services = $util.emptyArray;

            /**
             * HealthReport promoted.
             * @member {boolean} promoted
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.promoted = false;

            /**
             * HealthReport failCount.
             * @member {number} failCount
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.failCount = 0;

            /**
             * HealthReport lastFailureAgoMs.
             * @member {number} lastFailureAgoMs
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.lastFailureAgoMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * HealthReport lastFailureReason.
             * @member {string} lastFailureReason
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.lastFailureReason = "";

            /**
             * HealthReport stopped.
             * @member {boolean} stopped
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.stopped = false;

            /**
             * HealthReport lastFailureOutput.
             * @member {Array.<string>} lastFailureOutput
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.lastFailureOutput = $util.emptyArray;

            /**
             * HealthReport appliedUpdateMs.
             * @member {number} appliedUpdateMs
             * @memberof koi.wire.HealthReport
             * @instance
             */
            HealthReport.prototype.appliedUpdateMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new HealthReport instance using the specified properties.
             * @function create
             * @memberof koi.wire.HealthReport
             * @static
             * @param {koi.wire.HealthReport.$Properties=} [properties] Properties to set
             * @returns {koi.wire.HealthReport} HealthReport instance
             * @type {{
             *   (properties: koi.wire.HealthReport.$Shape): koi.wire.HealthReport & koi.wire.HealthReport.$Shape;
             *   (properties?: koi.wire.HealthReport.$Properties): koi.wire.HealthReport;
             * }}
             */
            HealthReport.create = function(properties) {
                return new HealthReport(properties);
            };

            /**
             * Encodes the specified HealthReport message. Does not implicitly {@link koi.wire.HealthReport.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.HealthReport
             * @static
             * @param {koi.wire.HealthReport.$Properties} message HealthReport message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            HealthReport.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.name);
                if (message.state != null && $Object.hasOwnProperty.call(message, "state") && message.state !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.state);
                if (message.mode != null && $Object.hasOwnProperty.call(message, "mode") && message.mode !== 0)
                    writer.uint32(/* id 3, wireType 0 =*/24).int32(message.mode);
                if (message.uptimeMs != null && $Object.hasOwnProperty.call(message, "uptimeMs") && (typeof message.uptimeMs === "object" ? message.uptimeMs.low || message.uptimeMs.high : message.uptimeMs !== 0))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.uptimeMs);
                if (message.target != null && $Object.hasOwnProperty.call(message, "target") && message.target !== 0)
                    writer.uint32(/* id 5, wireType 0 =*/40).int32(message.target);
                if (message.services != null && message.services.length)
                    for (var i = 0; i < message.services.length; ++i)
                        $root.koi.wire.ServiceStatusInfo.encode(message.services[i], writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                if (message.promoted != null && $Object.hasOwnProperty.call(message, "promoted") && message.promoted !== false)
                    writer.uint32(/* id 7, wireType 0 =*/56).bool(message.promoted);
                if (message.failCount != null && $Object.hasOwnProperty.call(message, "failCount") && message.failCount !== 0)
                    writer.uint32(/* id 8, wireType 0 =*/64).uint32(message.failCount);
                if (message.lastFailureAgoMs != null && $Object.hasOwnProperty.call(message, "lastFailureAgoMs") && (typeof message.lastFailureAgoMs === "object" ? message.lastFailureAgoMs.low || message.lastFailureAgoMs.high : message.lastFailureAgoMs !== 0))
                    writer.uint32(/* id 9, wireType 0 =*/72).sint64(message.lastFailureAgoMs);
                if (message.lastFailureReason != null && $Object.hasOwnProperty.call(message, "lastFailureReason") && message.lastFailureReason !== "")
                    writer.uint32(/* id 10, wireType 2 =*/82).string(message.lastFailureReason);
                if (message.stopped != null && $Object.hasOwnProperty.call(message, "stopped") && message.stopped !== false)
                    writer.uint32(/* id 11, wireType 0 =*/88).bool(message.stopped);
                if (message.lastFailureOutput != null && message.lastFailureOutput.length)
                    for (var i = 0; i < message.lastFailureOutput.length; ++i)
                        writer.uint32(/* id 12, wireType 2 =*/98).string(message.lastFailureOutput[i]);
                if (message.appliedUpdateMs != null && $Object.hasOwnProperty.call(message, "appliedUpdateMs") && (typeof message.appliedUpdateMs === "object" ? message.appliedUpdateMs.low || message.appliedUpdateMs.high : message.appliedUpdateMs !== 0))
                    writer.uint32(/* id 13, wireType 0 =*/104).uint64(message.appliedUpdateMs);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a HealthReport message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.HealthReport
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.HealthReport & koi.wire.HealthReport.$Shape} HealthReport
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            HealthReport.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.HealthReport();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.name = value;
                            else
                                delete message.name;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.state = value;
                            else
                                delete message.state;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.mode = value;
                            else
                                delete message.mode;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.uptimeMs = value;
                            else
                                delete message.uptimeMs;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.target = value;
                            else
                                delete message.target;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            if (!(message.services && message.services.length))
                                message.services = [];
                            message.services.push($root.koi.wire.ServiceStatusInfo.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    case 7: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.promoted = value;
                            else
                                delete message.promoted;
                            continue;
                        }
                    case 8: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.failCount = value;
                            else
                                delete message.failCount;
                            continue;
                        }
                    case 9: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.sint64()) === "object" ? value.low || value.high : value !== 0)
                                message.lastFailureAgoMs = value;
                            else
                                delete message.lastFailureAgoMs;
                            continue;
                        }
                    case 10: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.lastFailureReason = value;
                            else
                                delete message.lastFailureReason;
                            continue;
                        }
                    case 11: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.stopped = value;
                            else
                                delete message.stopped;
                            continue;
                        }
                    case 12: {
                            if (wireType !== 2)
                                break;
                            if (!(message.lastFailureOutput && message.lastFailureOutput.length))
                                message.lastFailureOutput = [];
                            message.lastFailureOutput.push(reader.stringVerify());
                            continue;
                        }
                    case 13: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.appliedUpdateMs = value;
                            else
                                delete message.appliedUpdateMs;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for HealthReport
             * @function getTypeUrl
             * @memberof koi.wire.HealthReport
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            HealthReport.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.HealthReport";
            };

            return HealthReport;
        })();

        wire.StateUpdate = (function() {

            /**
             * Properties of a StateUpdate.
             * @typedef {Object} koi.wire.StateUpdate.$Properties
             * @property {Uint8Array|null} [masterId] StateUpdate masterId
             * @property {string|null} [masterName] StateUpdate masterName
             * @property {koi.wire.Address.$Properties|null} [masterAddress] StateUpdate masterAddress
             * @property {string|null} [leaderName] StateUpdate leaderName
             * @property {number|null} [leaderUptimeMs] StateUpdate leaderUptimeMs
             * @property {boolean|null} [hasQuorum] StateUpdate hasQuorum
             * @property {boolean|null} [maintenance] StateUpdate maintenance
             * @property {number|null} [leaseMs] StateUpdate leaseMs
             * @property {number|null} [leaseEndUptimeMs] StateUpdate leaseEndUptimeMs
             * @property {number|null} [leaseObservedUptimeMs] StateUpdate leaseObservedUptimeMs
             * @property {number|null} [leaseObservedSeq] StateUpdate leaseObservedSeq
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a StateUpdate.
             * @memberof koi.wire
             * @interface IStateUpdate
             * @augments koi.wire.StateUpdate.$Properties
             * @deprecated Use koi.wire.StateUpdate.$Properties instead.
             */

            /**
             * Shape of a StateUpdate.
             * @typedef {koi.wire.StateUpdate.$Properties} koi.wire.StateUpdate.$Shape
             */

            /**
             * Constructs a new StateUpdate.
             * @memberof koi.wire
             * @classdesc Represents a StateUpdate.
             * @constructor
             * @param {koi.wire.StateUpdate.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var StateUpdate = function (properties) {
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * StateUpdate masterId.
             * @member {Uint8Array} masterId
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.masterId = $util.newBuffer([]);

            /**
             * StateUpdate masterName.
             * @member {string} masterName
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.masterName = "";

            /**
             * StateUpdate masterAddress.
             * @member {koi.wire.Address.$Properties|null|undefined} masterAddress
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.masterAddress = null;

            /**
             * StateUpdate leaderName.
             * @member {string} leaderName
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.leaderName = "";

            /**
             * StateUpdate leaderUptimeMs.
             * @member {number} leaderUptimeMs
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.leaderUptimeMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * StateUpdate hasQuorum.
             * @member {boolean} hasQuorum
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.hasQuorum = false;

            /**
             * StateUpdate maintenance.
             * @member {boolean} maintenance
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.maintenance = false;

            /**
             * StateUpdate leaseMs.
             * @member {number} leaseMs
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.leaseMs = 0;

            /**
             * StateUpdate leaseEndUptimeMs.
             * @member {number} leaseEndUptimeMs
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.leaseEndUptimeMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * StateUpdate leaseObservedUptimeMs.
             * @member {number} leaseObservedUptimeMs
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.leaseObservedUptimeMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * StateUpdate leaseObservedSeq.
             * @member {number} leaseObservedSeq
             * @memberof koi.wire.StateUpdate
             * @instance
             */
            StateUpdate.prototype.leaseObservedSeq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new StateUpdate instance using the specified properties.
             * @function create
             * @memberof koi.wire.StateUpdate
             * @static
             * @param {koi.wire.StateUpdate.$Properties=} [properties] Properties to set
             * @returns {koi.wire.StateUpdate} StateUpdate instance
             * @type {{
             *   (properties: koi.wire.StateUpdate.$Shape): koi.wire.StateUpdate & koi.wire.StateUpdate.$Shape;
             *   (properties?: koi.wire.StateUpdate.$Properties): koi.wire.StateUpdate;
             * }}
             */
            StateUpdate.create = function(properties) {
                return new StateUpdate(properties);
            };

            /**
             * Encodes the specified StateUpdate message. Does not implicitly {@link koi.wire.StateUpdate.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.StateUpdate
             * @static
             * @param {koi.wire.StateUpdate.$Properties} message StateUpdate message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            StateUpdate.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.masterId != null && $Object.hasOwnProperty.call(message, "masterId") && message.masterId.length)
                    writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.masterId);
                if (message.masterName != null && $Object.hasOwnProperty.call(message, "masterName") && message.masterName !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.masterName);
                if (message.masterAddress != null && $Object.hasOwnProperty.call(message, "masterAddress"))
                    $root.koi.wire.Address.encode(message.masterAddress, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                if (message.leaderName != null && $Object.hasOwnProperty.call(message, "leaderName") && message.leaderName !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.leaderName);
                if (message.leaderUptimeMs != null && $Object.hasOwnProperty.call(message, "leaderUptimeMs") && (typeof message.leaderUptimeMs === "object" ? message.leaderUptimeMs.low || message.leaderUptimeMs.high : message.leaderUptimeMs !== 0))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.leaderUptimeMs);
                if (message.hasQuorum != null && $Object.hasOwnProperty.call(message, "hasQuorum") && message.hasQuorum !== false)
                    writer.uint32(/* id 6, wireType 0 =*/48).bool(message.hasQuorum);
                if (message.maintenance != null && $Object.hasOwnProperty.call(message, "maintenance") && message.maintenance !== false)
                    writer.uint32(/* id 7, wireType 0 =*/56).bool(message.maintenance);
                if (message.leaseMs != null && $Object.hasOwnProperty.call(message, "leaseMs") && message.leaseMs !== 0)
                    writer.uint32(/* id 8, wireType 0 =*/64).uint32(message.leaseMs);
                if (message.leaseEndUptimeMs != null && $Object.hasOwnProperty.call(message, "leaseEndUptimeMs") && (typeof message.leaseEndUptimeMs === "object" ? message.leaseEndUptimeMs.low || message.leaseEndUptimeMs.high : message.leaseEndUptimeMs !== 0))
                    writer.uint32(/* id 9, wireType 0 =*/72).uint64(message.leaseEndUptimeMs);
                if (message.leaseObservedUptimeMs != null && $Object.hasOwnProperty.call(message, "leaseObservedUptimeMs") && (typeof message.leaseObservedUptimeMs === "object" ? message.leaseObservedUptimeMs.low || message.leaseObservedUptimeMs.high : message.leaseObservedUptimeMs !== 0))
                    writer.uint32(/* id 10, wireType 0 =*/80).uint64(message.leaseObservedUptimeMs);
                if (message.leaseObservedSeq != null && $Object.hasOwnProperty.call(message, "leaseObservedSeq") && (typeof message.leaseObservedSeq === "object" ? message.leaseObservedSeq.low || message.leaseObservedSeq.high : message.leaseObservedSeq !== 0))
                    writer.uint32(/* id 11, wireType 0 =*/88).uint64(message.leaseObservedSeq);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a StateUpdate message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.StateUpdate
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.StateUpdate & koi.wire.StateUpdate.$Shape} StateUpdate
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            StateUpdate.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.StateUpdate();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.masterId = value;
                            else
                                delete message.masterId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.masterName = value;
                            else
                                delete message.masterName;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            message.masterAddress = $root.koi.wire.Address.decode(reader, reader.size(), $undefined, _depth + 1, message.masterAddress);
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.leaderName = value;
                            else
                                delete message.leaderName;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.leaderUptimeMs = value;
                            else
                                delete message.leaderUptimeMs;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.hasQuorum = value;
                            else
                                delete message.hasQuorum;
                            continue;
                        }
                    case 7: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.maintenance = value;
                            else
                                delete message.maintenance;
                            continue;
                        }
                    case 8: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.leaseMs = value;
                            else
                                delete message.leaseMs;
                            continue;
                        }
                    case 9: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.leaseEndUptimeMs = value;
                            else
                                delete message.leaseEndUptimeMs;
                            continue;
                        }
                    case 10: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.leaseObservedUptimeMs = value;
                            else
                                delete message.leaseObservedUptimeMs;
                            continue;
                        }
                    case 11: {
                            if (wireType !== 0)
                                break;
                            if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                message.leaseObservedSeq = value;
                            else
                                delete message.leaseObservedSeq;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for StateUpdate
             * @function getTypeUrl
             * @memberof koi.wire.StateUpdate
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            StateUpdate.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.StateUpdate";
            };

            return StateUpdate;
        })();

        wire.AdminRequest = (function() {

            /**
             * Properties of an AdminRequest.
             * @typedef {Object} koi.wire.AdminRequest.$Properties
             * @property {string|null} [requestId] AdminRequest requestId
             * @property {string|null} [command] AdminRequest command
             * @property {Array.<string>|null} [args] AdminRequest args
             * @property {number|null} [hops] AdminRequest hops
             * @property {boolean|null} [challenge] AdminRequest challenge
             * @property {Uint8Array|null} [target] AdminRequest target
             * @property {Uint8Array|null} [nonce] AdminRequest nonce
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an AdminRequest.
             * @memberof koi.wire
             * @interface IAdminRequest
             * @augments koi.wire.AdminRequest.$Properties
             * @deprecated Use koi.wire.AdminRequest.$Properties instead.
             */

            /**
             * Shape of an AdminRequest.
             * @typedef {koi.wire.AdminRequest.$Properties} koi.wire.AdminRequest.$Shape
             */

            /**
             * Constructs a new AdminRequest.
             * @memberof koi.wire
             * @classdesc Represents an AdminRequest.
             * @constructor
             * @param {koi.wire.AdminRequest.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var AdminRequest = function (properties) {
                this.args = [];
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * AdminRequest requestId.
             * @member {string} requestId
             * @memberof koi.wire.AdminRequest
             * @instance
             */
            AdminRequest.prototype.requestId = "";

            /**
             * AdminRequest command.
             * @member {string} command
             * @memberof koi.wire.AdminRequest
             * @instance
             */
            AdminRequest.prototype.command = "";

            /**
             * AdminRequest args.
             * @member {Array.<string>} args
             * @memberof koi.wire.AdminRequest
             * @instance
             */
            AdminRequest.prototype.args = $util.emptyArray;

            /**
             * AdminRequest hops.
             * @member {number} hops
             * @memberof koi.wire.AdminRequest
             * @instance
             */
            AdminRequest.prototype.hops = 0;

            /**
             * AdminRequest challenge.
             * @member {boolean} challenge
             * @memberof koi.wire.AdminRequest
             * @instance
             */
            AdminRequest.prototype.challenge = false;

            /**
             * AdminRequest target.
             * @member {Uint8Array} target
             * @memberof koi.wire.AdminRequest
             * @instance
             */
            AdminRequest.prototype.target = $util.newBuffer([]);

            /**
             * AdminRequest nonce.
             * @member {Uint8Array} nonce
             * @memberof koi.wire.AdminRequest
             * @instance
             */
            AdminRequest.prototype.nonce = $util.newBuffer([]);

            /**
             * Creates a new AdminRequest instance using the specified properties.
             * @function create
             * @memberof koi.wire.AdminRequest
             * @static
             * @param {koi.wire.AdminRequest.$Properties=} [properties] Properties to set
             * @returns {koi.wire.AdminRequest} AdminRequest instance
             * @type {{
             *   (properties: koi.wire.AdminRequest.$Shape): koi.wire.AdminRequest & koi.wire.AdminRequest.$Shape;
             *   (properties?: koi.wire.AdminRequest.$Properties): koi.wire.AdminRequest;
             * }}
             */
            AdminRequest.create = function(properties) {
                return new AdminRequest(properties);
            };

            /**
             * Encodes the specified AdminRequest message. Does not implicitly {@link koi.wire.AdminRequest.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.AdminRequest
             * @static
             * @param {koi.wire.AdminRequest.$Properties} message AdminRequest message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            AdminRequest.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.requestId != null && $Object.hasOwnProperty.call(message, "requestId") && message.requestId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.requestId);
                if (message.command != null && $Object.hasOwnProperty.call(message, "command") && message.command !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.command);
                if (message.args != null && message.args.length)
                    for (var i = 0; i < message.args.length; ++i)
                        writer.uint32(/* id 3, wireType 2 =*/26).string(message.args[i]);
                if (message.hops != null && $Object.hasOwnProperty.call(message, "hops") && message.hops !== 0)
                    writer.uint32(/* id 4, wireType 0 =*/32).uint32(message.hops);
                if (message.challenge != null && $Object.hasOwnProperty.call(message, "challenge") && message.challenge !== false)
                    writer.uint32(/* id 5, wireType 0 =*/40).bool(message.challenge);
                if (message.target != null && $Object.hasOwnProperty.call(message, "target") && message.target.length)
                    writer.uint32(/* id 6, wireType 2 =*/50).bytes(message.target);
                if (message.nonce != null && $Object.hasOwnProperty.call(message, "nonce") && message.nonce.length)
                    writer.uint32(/* id 7, wireType 2 =*/58).bytes(message.nonce);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an AdminRequest message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.AdminRequest
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.AdminRequest & koi.wire.AdminRequest.$Shape} AdminRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            AdminRequest.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.AdminRequest();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.requestId = value;
                            else
                                delete message.requestId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.command = value;
                            else
                                delete message.command;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if (!(message.args && message.args.length))
                                message.args = [];
                            message.args.push(reader.stringVerify());
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.uint32())
                                message.hops = value;
                            else
                                delete message.hops;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.bool())
                                message.challenge = value;
                            else
                                delete message.challenge;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.target = value;
                            else
                                delete message.target;
                            continue;
                        }
                    case 7: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.nonce = value;
                            else
                                delete message.nonce;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for AdminRequest
             * @function getTypeUrl
             * @memberof koi.wire.AdminRequest
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            AdminRequest.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.AdminRequest";
            };

            return AdminRequest;
        })();

        wire.AdminResponse = (function() {

            /**
             * Properties of an AdminResponse.
             * @typedef {Object} koi.wire.AdminResponse.$Properties
             * @property {string|null} [requestId] AdminResponse requestId
             * @property {number|null} [exitCode] AdminResponse exitCode
             * @property {string|null} [text] AdminResponse text
             * @property {string|null} [json] AdminResponse json
             * @property {Uint8Array|null} [nonce] AdminResponse nonce
             * @property {Uint8Array|null} [nodeId] AdminResponse nodeId
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an AdminResponse.
             * @memberof koi.wire
             * @interface IAdminResponse
             * @augments koi.wire.AdminResponse.$Properties
             * @deprecated Use koi.wire.AdminResponse.$Properties instead.
             */

            /**
             * Shape of an AdminResponse.
             * @typedef {koi.wire.AdminResponse.$Properties} koi.wire.AdminResponse.$Shape
             */

            /**
             * Constructs a new AdminResponse.
             * @memberof koi.wire
             * @classdesc Represents an AdminResponse.
             * @constructor
             * @param {koi.wire.AdminResponse.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            var AdminResponse = function (properties) {
                if (properties)
                    for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * AdminResponse requestId.
             * @member {string} requestId
             * @memberof koi.wire.AdminResponse
             * @instance
             */
            AdminResponse.prototype.requestId = "";

            /**
             * AdminResponse exitCode.
             * @member {number} exitCode
             * @memberof koi.wire.AdminResponse
             * @instance
             */
            AdminResponse.prototype.exitCode = 0;

            /**
             * AdminResponse text.
             * @member {string} text
             * @memberof koi.wire.AdminResponse
             * @instance
             */
            AdminResponse.prototype.text = "";

            /**
             * AdminResponse json.
             * @member {string} json
             * @memberof koi.wire.AdminResponse
             * @instance
             */
            AdminResponse.prototype.json = "";

            /**
             * AdminResponse nonce.
             * @member {Uint8Array} nonce
             * @memberof koi.wire.AdminResponse
             * @instance
             */
            AdminResponse.prototype.nonce = $util.newBuffer([]);

            /**
             * AdminResponse nodeId.
             * @member {Uint8Array} nodeId
             * @memberof koi.wire.AdminResponse
             * @instance
             */
            AdminResponse.prototype.nodeId = $util.newBuffer([]);

            /**
             * Creates a new AdminResponse instance using the specified properties.
             * @function create
             * @memberof koi.wire.AdminResponse
             * @static
             * @param {koi.wire.AdminResponse.$Properties=} [properties] Properties to set
             * @returns {koi.wire.AdminResponse} AdminResponse instance
             * @type {{
             *   (properties: koi.wire.AdminResponse.$Shape): koi.wire.AdminResponse & koi.wire.AdminResponse.$Shape;
             *   (properties?: koi.wire.AdminResponse.$Properties): koi.wire.AdminResponse;
             * }}
             */
            AdminResponse.create = function(properties) {
                return new AdminResponse(properties);
            };

            /**
             * Encodes the specified AdminResponse message. Does not implicitly {@link koi.wire.AdminResponse.verify|verify} messages.
             * @function encode
             * @memberof koi.wire.AdminResponse
             * @static
             * @param {koi.wire.AdminResponse.$Properties} message AdminResponse message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            AdminResponse.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.requestId != null && $Object.hasOwnProperty.call(message, "requestId") && message.requestId !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.requestId);
                if (message.exitCode != null && $Object.hasOwnProperty.call(message, "exitCode") && message.exitCode !== 0)
                    writer.uint32(/* id 2, wireType 0 =*/16).sint32(message.exitCode);
                if (message.text != null && $Object.hasOwnProperty.call(message, "text") && message.text !== "")
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.text);
                if (message.json != null && $Object.hasOwnProperty.call(message, "json") && message.json !== "")
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.json);
                if (message.nonce != null && $Object.hasOwnProperty.call(message, "nonce") && message.nonce.length)
                    writer.uint32(/* id 5, wireType 2 =*/42).bytes(message.nonce);
                if (message.nodeId != null && $Object.hasOwnProperty.call(message, "nodeId") && message.nodeId.length)
                    writer.uint32(/* id 6, wireType 2 =*/50).bytes(message.nodeId);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (var i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an AdminResponse message from the specified reader or buffer.
             * @function decode
             * @memberof koi.wire.AdminResponse
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {koi.wire.AdminResponse & koi.wire.AdminResponse.$Shape} AdminResponse
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            AdminResponse.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                var end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.koi.wire.AdminResponse();
                while (reader.pos < end) {
                    var start = reader.pos;
                    var tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    var wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.requestId = value;
                            else
                                delete message.requestId;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.sint32())
                                message.exitCode = value;
                            else
                                delete message.exitCode;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.text = value;
                            else
                                delete message.text;
                            continue;
                        }
                    case 4: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.json = value;
                            else
                                delete message.json;
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.nonce = value;
                            else
                                delete message.nonce;
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.nodeId = value;
                            else
                                delete message.nodeId;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            /**
             * Gets the type url for AdminResponse
             * @function getTypeUrl
             * @memberof koi.wire.AdminResponse
             * @static
             * @param {string} [prefix] Custom type url prefix, defaults to `"type.googleapis.com"`
             * @returns {string} The type url
             */
            AdminResponse.getTypeUrl = function(prefix) {
                if (prefix === $undefined)
                    prefix = "type.googleapis.com";
                return prefix + "/koi.wire.AdminResponse";
            };

            return AdminResponse;
        })();

        return wire;
    })();

    return koi;
})();

module.exports = $root;

import Foundation
import NIOCore
import RationCore

/// Answers the calls of one connection, in order.
struct VarlinkSession {
    let handler: any ControlHandler
    let peer: PeerCredentials?
    let configuration: ControlServerConfiguration
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// Closed when a reply waits longer than `idleTimeout` for the client to read it.
    let channel: any Channel

    func handle(message: ByteBuffer) async throws {
        let call: VarlinkCall
        do {
            call = try VarlinkJSON.decode(VarlinkCall.self, from: Data(message.readableBytesView))
        } catch {
            try await send(error: .invalidRequest("not a varlink call (a JSON object with a \"method\" string): \(Self.summary(error))"))
            return
        }
        let oneway = call.oneway ?? false
        do {
            try await dispatch(call, oneway: oneway)
        } catch let expired as RequestDeadline.Expired {
            if !oneway { try await send(error: .timeout(limit: expired.limit)) }
            // Read the next request only once the abandoned call has ended.
            await expired.work.value
        } catch let error as VarlinkError {
            if !oneway { try await send(error: error) }
        } catch let error as ControlError {
            if !oneway { try await send(error: error.varlinkError) }
        } catch is CancellationError {
            throw CancellationError()
        } catch let error where error is ChannelError || error is IOError {
            throw error
        } catch {
            if !oneway { try await send(error: VarlinkError("io.rationd.InternalError", ["reason": .string("\(error)")])) }
        }
    }

    private func dispatch(_ call: VarlinkCall, oneway: Bool) async throws {
        let name = call.method
        guard let dot = name.lastIndex(of: ".") else { throw VarlinkError.invalidRequest("method \"\(name)\" is not qualified by an interface") }
        let interface = String(name[..<dot])
        let member = String(name[name.index(after: dot)...])
        switch interface {
        case "org.varlink.service":
            try await service(member: member, call: call, oneway: oneway)
        case RationdInterface.name:
            guard let method = RationdInterface.Method(rawValue: member) else { throw VarlinkError.methodNotFound(name) }
            if method.isMutating { try authorise() }
            try await rationd(method, call: call, oneway: oneway)
        default:
            throw VarlinkError.interfaceNotFound(interface)
        }
    }

    private func service(member: String, call: VarlinkCall, oneway: Bool) async throws {
        switch member {
        case "GetInfo":
            _ = try Self.parameters(NoParameters.self, call.parameters)
            let info = ServiceInfo(vendor: "rationd", product: "rationd", version: configuration.version,
                                   url: "https://github.com/rationd/rationd",
                                   interfaces: ["org.varlink.service", RationdInterface.name])
            if !oneway { try await send(info) }
        case "GetInterfaceDescription":
            let p = try Self.parameters(GetInterfaceDescriptionParameters.self, call.parameters)
            let text: String
            switch p.interface {
            case RationdInterface.name: text = RationdInterface.description
            case "org.varlink.service": text = RationdInterface.serviceDescription
            default: throw VarlinkError.interfaceNotFound(p.interface)
            }
            if !oneway { try await send(["description": text]) }
        default:
            throw VarlinkError.methodNotFound(call.method)
        }
    }

    private func rationd(_ method: RationdInterface.Method, call: VarlinkCall, oneway: Bool) async throws {
        let handler = self.handler
        switch method {
        case .getStatus:
            _ = try Self.parameters(NoParameters.self, call.parameters)
            let status = try await timed { try await handler.status() }
            if !oneway { try await send(status) }
        case .listAlerts:
            let query = try Self.parameters(AlertQuery.self, call.parameters)
            try query.validate()
            try ListLimit.check(query.limit)
            if call.more == true, !oneway {
                try await follow(query)
            } else {
                let limit = query.limit ?? AlertQuery.defaultLimit
                let probe = { var q = query; q.limit = limit + 1; return q }()
                let alerts = try await timed { try await handler.alerts(matching: probe) }.map(AlertRecord.init)
                let page = try Self.page(alerts, limit: limit, budget: configuration.replyBudget, cursor: AlertQuery.cursor(of:))
                if !oneway { try await send(AlertPage(alerts: page.items, next: page.next)) }
            }
        case .getAlert:
            let p = try Self.parameters(GetAlertParameters.self, call.parameters)
            let alert = try await timed { try await handler.alert(id: AlertID(p.id)) }
            if !oneway { try await send(["alert": AlertRecord(alert)]) }
        case .listTemplates:
            let query = try Self.parameters(TemplateQuery.self, call.parameters)
            try query.validate()
            try ListLimit.check(query.limit)
            let limit = query.limit ?? TemplateQuery.defaultLimit
            let probe = TemplateQuery(limit: limit + 1, newSince: query.newSince, after: query.after)
            let templates = try await timed { try await handler.templates(matching: probe) }
            let page = try Self.page(templates, limit: limit, budget: configuration.replyBudget, cursor: query.cursor(of:))
            if !oneway { try await send(TemplatePage(templates: page.items, next: page.next)) }
        case .labelAlert:
            let p = try Self.parameters(LabelParameters.self, call.parameters)
            let label = try Self.label(p)
            let result = try await timed { try await handler.labelAlert(id: AlertID(p.id), label: label, force: p.force ?? false) }
            if !oneway { try await send(LabelAlertReply(alert: AlertRecord(result.alert), changes: result.changes)) }
        case .labelTemplate:
            let p = try Self.parameters(LabelParameters.self, call.parameters)
            let label = try Self.label(p)
            let result = try await timed { try await handler.labelTemplate(id: TemplateID(p.id), label: label, force: p.force ?? false) }
            if !oneway { try await send(LabelTemplateReply(template: result.template, changes: result.changes)) }
        case .reload:
            _ = try Self.parameters(NoParameters.self, call.parameters)
            let changes = try await timed { try await handler.reload() }
            if !oneway { try await send(["changes": changes]) }
        case .acknowledgeRecoveries:
            _ = try Self.parameters(NoParameters.self, call.parameters)
            let count = try await timed { try await handler.acknowledgeRecoveries() }
            if !oneway { try await send(["acknowledged": count]) }
        }
    }

    /// A handler call under `configuration.requestTimeout`.
    private func timed<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await RequestDeadline.run(within: configuration.requestTimeout, body)
    }

    /// `more` on ListAlerts: the current matches, then every new or updated match as it comes.
    /// Subscribes before listing so nothing raised in between is missed. The first reply is
    /// one page (no `next`: later alerts arrive anyway); `after` only shapes that page.
    private func follow(_ query: AlertQuery) async throws {
        let handler = self.handler
        let stream = await handler.followAlerts()
        let current = try await timed { try await handler.alerts(matching: query) }.map(AlertRecord.init)
        let page = try Self.page(current, limit: query.limit ?? AlertQuery.defaultLimit, budget: configuration.replyBudget,
                                 cursor: AlertQuery.cursor(of:))
        try await send(["alerts": page.items], continues: true)
        let live = { var q = query; q.after = nil; return q }()
        let session = self
        // A client that went away ends the follow when its channel closes, not only at a
        // write that fails (the first write after the peer closed may still succeed).
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await alert in stream {
                    let record = AlertRecord(alert)
                    guard live.matches(record) else { continue }
                    try await session.send(["alerts": [record]], continues: true)
                }
            }
            group.addTask {
                while session.channel.isActive { try await Task.sleep(for: .milliseconds(200)) }
            }
            try await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
        try await send(["alerts": [AlertRecord]()], continues: false)
    }

    private func authorise() throws(VarlinkError) {
        guard let peer, peer.uid == 0 || peer.uid == configuration.privilegedUID else {
            throw .permissionDenied()
        }
    }

    private static func label(_ p: LabelParameters) throws(VarlinkError) -> OperatorLabel {
        guard let label = Verdict.Label(rawValue: p.label) else { throw .invalidParameter("label") }
        let now = EventTime(secondsSinceEpoch: Date().timeIntervalSince1970)
        return OperatorLabel(label: label, note: p.note, time: now)
    }

    /// Decodes a method's parameters, naming the first unknown, missing or mistyped one.
    static func parameters<P: VarlinkParameters>(_ type: P.Type, _ value: JSONValue?) throws(VarlinkError) -> P {
        let object: [String: JSONValue]
        switch value {
        case nil, .null?: object = [:]
        case .object(let o)?: object = o
        default: throw .invalidParameter("parameters")
        }
        if let unknown = object.keys.sorted().first(where: { !P.fieldNames.contains($0) }) {
            throw .invalidParameter(unknown)
        }
        do {
            return try VarlinkJSON.decode(P.self, from: .object(object))
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalidParameter(key.stringValue)
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidParameter(context.codingPath.first?.stringValue ?? "parameters")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidParameter(context.codingPath.first?.stringValue ?? "parameters")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidParameter(context.codingPath.first?.stringValue ?? "parameters")
        } catch {
            throw .invalidParameter("parameters")
        }
    }

    func send<T: Encodable>(_ parameters: T, continues: Bool? = nil) async throws {
        try await write(VarlinkReply(parameters: VarlinkJSON.value(parameters), continues: continues))
    }

    func send(error: VarlinkError) async throws {
        try await write(VarlinkReply(parameters: error.parameters, error: error.name))
    }

    private func write(_ reply: VarlinkReply) async throws {
        var data = try VarlinkJSON.encode(reply)
        data.append(0)
        // A client that stops reading must not hold its connection slot: the write waits on
        // its socket buffer, so the idle timeout bounds that wait too.
        let channel = self.channel
        let stuck = configuration.idleTimeout.map { limit in
            channel.eventLoop.scheduleTask(in: .nanoseconds(limit.nanoseconds)) { channel.close(promise: nil) }
        }
        defer { stuck?.cancel() }
        try await outbound.write(ByteBuffer(bytes: data))
    }

    private static func summary(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): c.debugDescription
        case DecodingError.keyNotFound(let k, _): "missing \"\(k.stringValue)\""
        case DecodingError.typeMismatch(_, let c): "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "\(error)"
        }
    }
}

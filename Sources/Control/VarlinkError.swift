/// An error reply: a qualified error name and its parameters. Handlers throw these (or
/// `ControlError`, which maps onto them); the server turns them into replies.
public struct VarlinkError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var parameters: JSONValue

    public init(_ name: String, _ parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = .object(parameters)
    }

    public var description: String {
        guard let p = parameters.object, !p.isEmpty,
              let data = try? VarlinkJSON.encode(parameters), let text = String(data: data, encoding: .utf8)
        else { return name }
        return "\(name) \(text)"
    }

    // org.varlink.service errors, as the varlink specification names them.
    public static func interfaceNotFound(_ interface: String) -> Self {
        Self("org.varlink.service.InterfaceNotFound", ["interface": .string(interface)])
    }
    public static func methodNotFound(_ method: String) -> Self {
        Self("org.varlink.service.MethodNotFound", ["method": .string(method)])
    }
    public static func methodNotImplemented(_ method: String) -> Self {
        Self("org.varlink.service.MethodNotImplemented", ["method": .string(method)])
    }
    public static func invalidParameter(_ parameter: String) -> Self {
        Self("org.varlink.service.InvalidParameter", ["parameter": .string(parameter)])
    }
    public static func permissionDenied() -> Self { Self("org.varlink.service.PermissionDenied") }
    public static func expectedMore() -> Self { Self("org.varlink.service.ExpectedMore") }

    // io.rationd errors (declared in the interface description).
    public static func invalidRequest(_ reason: String) -> Self {
        Self("io.rationd.InvalidRequest", ["reason": .string(reason)])
    }
    public static func messageTooLarge(limit: Int) -> Self {
        Self("io.rationd.MessageTooLarge", ["limit": .integer(Int64(limit))])
    }
    public static func tooManyConnections(limit: Int) -> Self {
        Self("io.rationd.TooManyConnections", ["limit": .integer(Int64(limit))])
    }
    public static func timeout(limit: Duration) -> Self {
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        return Self("io.rationd.Timeout", ["seconds": .number(seconds)])
    }
}

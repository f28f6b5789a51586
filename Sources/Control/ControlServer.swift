#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RationCore

/// Settings of the control socket server.
public struct ControlServerConfiguration: Sendable {
    public var socketPath: String
    /// Group that owns the socket; nil keeps the process's group.
    public var group: UInt32?
    public var mode: UInt32 = 0o660
    public var maxMessageBytes = 1 << 20
    /// Connections served at once; the last slot is kept for root (`ConnectionAdmission`).
    public var maxConnections = 128
    /// A connection with no complete request for this long is closed (nil: never), and so is
    /// one whose reply waits this long for the client to read it. A call being answered, a
    /// followed `ListAlerts` included, does not count as idle.
    public var idleTimeout: Duration? = .seconds(60)
    /// A handler call that runs longer gets `io.rationd.Timeout` (nil: no limit).
    public var requestTimeout: Duration? = .seconds(30)
    /// Besides root, the user allowed to call mutating methods (the daemon's own user).
    public var privilegedUID: UInt32 = getuid()
    public var version: String

    public init(socketPath: String, version: String) {
        self.socketPath = socketPath
        self.version = version
    }

    /// The most a list reply may take: below `maxMessageBytes`, so a reply is never larger
    /// than a message the daemon itself would accept.
    public var replyBudget: Int { max(maxMessageBytes - 4096, maxMessageBytes / 2) }
}

/// Why the server could not start.
public struct ControlServerError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// The varlink server on a Unix socket: one task per connection, requests on a connection
/// answered in order, bounded message size, connection count (one slot kept for root), idle
/// time and handler time, `SO_PEERCRED` checks for mutating methods. A bad request gets a varlink error; only an oversized one also closes
/// the connection (its end cannot be found).
public final class ControlServer: Sendable {
    /// An accepted connection. NIO requires every wrapped channel's writer to be finished before
    /// it is released; a connection still queued in the accept stream when the server stops is
    /// never served, so its release closes it through `executeThenClose` instead.
    final class Connection: Sendable {
        let peer: PeerCredentials?
        let channel: NIOAsyncChannel<VarlinkFrame, ByteBuffer>
        private let served = NIOLockedValueBox(false)

        init(peer: PeerCredentials?, channel: NIOAsyncChannel<VarlinkFrame, ByteBuffer>) {
            self.peer = peer
            self.channel = channel
        }

        /// Marks the connection as taken over by `serve`, which closes it itself.
        func markServed() { served.withLockedValue { $0 = true } }

        deinit {
            guard !served.withLockedValue({ $0 }) else { return }
            let channel = self.channel
            Task { try? await channel.executeThenClose { _, _ in } }
        }
    }

    public let configuration: ControlServerConfiguration
    private let handler: any ControlHandler
    private let serverChannel: NIOAsyncChannel<Connection, Never>
    /// Connections being served: (non-root, root).
    private let open = NIOLockedValueBox((nonRoot: 0, root: 0))

    private init(configuration: ControlServerConfiguration, handler: any ControlHandler,
                 serverChannel: NIOAsyncChannel<Connection, Never>) {
        self.configuration = configuration
        self.handler = handler
        self.serverChannel = serverChannel
    }

    /// Binds the socket (replacing a stale one, refusing one a live server answers on) with
    /// its group and mode set before it appears at its path (`SocketPlacement`). Serve with
    /// `serve()`.
    public static func bind(configuration: ControlServerConfiguration, handler: any ControlHandler,
                            eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> ControlServer {
        let path = configuration.socketPath
        if FileManager.default.fileExists(atPath: path) {
            if (try? VarlinkClient(socketPath: path, timeout: .seconds(1))) != nil {
                throw ControlServerError(path: path, message: "another server is already listening on this socket")
            }
        }
        let placement = try SocketPlacement(path: path)
        let maxMessageBytes = configuration.maxMessageBytes
        let channel: NIOAsyncChannel<Connection, Never>
        do {
            channel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(unixDomainSocketPath: placement.privatePath) { child in
                    PeerCredentials.of(child).flatMapThrowing { peer in
                        try child.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(NULFrameDecoder(maxMessageBytes: maxMessageBytes)))
                        let async = try NIOAsyncChannel<VarlinkFrame, ByteBuffer>(
                            wrappingChannelSynchronously: child,
                            configuration: .init(isOutboundHalfClosureEnabled: false))
                        return Connection(peer: peer, channel: async)
                    }
                }
        } catch {
            placement.abandon()
            throw ControlServerError(path: path, message: "cannot listen: \(error)")
        }
        do {
            try placement.publish(group: configuration.group, mode: configuration.mode)
        } catch {
            try? await channel.channel.close()
            throw error
        }
        return ControlServer(configuration: configuration, handler: handler, serverChannel: channel)
    }

    /// Number of connections being served now.
    public var activeConnections: Int { open.withLockedValue { $0.nonRoot + $0.root } }

    /// Accepts connections until the task is cancelled, then closes them and removes the socket.
    public func serve() async throws {
        defer { unlink(configuration.socketPath) }
        try await withThrowingDiscardingTaskGroup { group in
            try await serverChannel.executeThenClose { inbound in
                for try await connection in inbound {
                    let isRoot = connection.peer?.uid == 0
                    let admitted = open.withLockedValue { open in
                        guard ConnectionAdmission.admits(peerUID: connection.peer?.uid, openNonRoot: open.nonRoot,
                                                         openRoot: open.root, maxConnections: configuration.maxConnections)
                        else { return false }
                        if isRoot { open.root += 1 } else { open.nonRoot += 1 }
                        return true
                    }
                    group.addTask {
                        defer {
                            if admitted { self.open.withLockedValue { if isRoot { $0.root -= 1 } else { $0.nonRoot -= 1 } } }
                        }
                        await self.serve(connection, overLimit: !admitted)
                    }
                }
            }
            group.cancelAll()
        }
    }

    private func serve(_ connection: Connection, overLimit: Bool) async {
        connection.markServed()
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                let channel = connection.channel.channel
                let session = VarlinkSession(handler: handler, peer: connection.peer, configuration: configuration,
                                             outbound: outbound, channel: channel)
                if overLimit {
                    try await session.send(error: .tooManyConnections(limit: configuration.maxConnections))
                    return
                }
                var frames = inbound.makeAsyncIterator()
                while true {
                    // Only complete requests reset the clock: a client trickling bytes is idle too.
                    let idle = configuration.idleTimeout.map { limit in
                        channel.eventLoop.scheduleTask(in: .nanoseconds(limit.nanoseconds)) { channel.close(promise: nil) }
                    }
                    let next = try await frames.next()
                    idle?.cancel()
                    guard let frame = next else { return }
                    switch frame {
                    case .tooLarge:
                        try await session.send(error: .messageTooLarge(limit: configuration.maxMessageBytes))
                        return
                    case .message(let bytes):
                        try await session.handle(message: bytes)
                    }
                }
            }
        } catch {
            // The client went away or the server is stopping: nothing to answer.
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (s, a) = components
        let (n, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : n.addingReportingOverflow(a / 1_000_000_000).partialValue
    }
}

import NIOTLS
import PostgresNIO

extension PostgresSession {
    /// Opens the connection to the server (TCP with TLS as the settings ask, or the Unix socket) and hands it to
    /// postgres-nio only once ``CleartextPasswordRefusal`` sits on it, behind TLS, where it reads the server's
    /// messages in clear. TLS is negotiated here rather than by postgres-nio, which would put its TLS handler in front
    /// of every handler already on the channel.
    /// - Throws: what connecting, TLS or the login throws (a `PSQLError`, a channel error, ``LoginFailure``).
    static func openConnection(
        _ settings: PostgresSettings, password: String?, applicationName: String, id: Int, logger: Logger
    ) async throws -> PostgresConnection {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.seconds(10))
        let channel: any Channel
        switch settings.endpoint {
        case .socket(let folder):
            guard let path = settings.socketPath else { throw PostgresStoreError(.invalidSettings, "no socket in \(folder)") }
            channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
        case .tcp(let host):
            channel = try await bootstrap.connect(host: host, port: settings.port).get()
            do {
                try await negotiateTLS(on: channel, host: host, settings: settings)
            } catch {
                try? await channel.close()
                throw error
            }
        }
        try await channel.eventLoop.submit { try channel.pipeline.syncOperations.addHandler(CleartextPasswordRefusal()) }.get()
        var configuration = PostgresConnection.Configuration(
            establishedChannel: channel, tls: .disable, username: settings.user, password: password, database: settings.database)
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        // The channel's own event loop: postgres-nio sets up its handlers on the loop it is given.
        return try await PostgresConnection.connect(on: channel.eventLoop, configuration: configuration, id: id, logger: logger).get()
    }

    /// Asks the server for TLS (SSLRequest) and, when it agrees, puts TLS on the channel; goes on in clear only with
    /// `sslmode=prefer` (or `disable`, which asks nothing).
    /// - Throws: ``LoginFailure/tlsRefused`` when TLS is required and the server does not offer it;
    ///   ``LoginFailure/unexpectedTLSAnswer`` when it answers anything but one byte "S" or "N".
    private static func negotiateTLS(on channel: any Channel, host: String, settings: PostgresSettings) async throws {
        guard settings.tls != .disable else { return }
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if settings.tls != .verifyFull { tlsConfiguration.certificateVerification = .none }
        let context = try NIOSSLContext(configuration: tlsConfiguration)
        let answer = channel.eventLoop.makePromise(of: ByteBuffer.self)
        try await channel.eventLoop.submit { try channel.pipeline.syncOperations.addHandler(FirstAnswer(answer: answer)) }.get()
        var request = channel.allocator.buffer(capacity: 8)
        request.writeMultipleIntegers(UInt32(8), UInt32(80_877_103))
        try await channel.writeAndFlush(request).get()
        let reply = try await answer.futureResult.get()
        // More than one byte before the handshake is someone else's data spliced in ahead of TLS (CVE-2021-23222).
        switch reply.readableBytesView.first {
        case UInt8(ascii: "S") where reply.readableBytes == 1:
            // SNI takes a host name, not an address.
            let serverName = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
            let handshake = channel.eventLoop.makePromise(of: Void.self)
            try await channel.eventLoop.submit {
                let tls = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                try channel.pipeline.syncOperations.addHandler(tls, position: .first)
                try channel.pipeline.syncOperations.addHandler(HandshakeCompletion(done: handshake), position: .after(tls))
            }.get()
            try await handshake.futureResult.get()
        case UInt8(ascii: "N") where reply.readableBytes == 1:
            guard settings.tls == .prefer else { throw LoginFailure.tlsRefused }
        default:
            throw LoginFailure.unexpectedTLSAnswer
        }
    }

    /// Why cdp gave up a login before the server decided it.
    enum LoginFailure: Error {
        /// `sslmode` requires TLS and the server answered that it has none.
        case tlsRefused
        /// The server answered the TLS request with something other than yes or no.
        case unexpectedTLSAnswer
    }

    /// Waits for the TLS handshake to end, and keeps its news from postgres-nio, which did not ask for TLS itself.
    private final class HandshakeCompletion: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        let done: EventLoopPromise<Void>

        init(done: EventLoopPromise<Void>) { self.done = done }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            guard let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent else {
                return context.fireUserInboundEventTriggered(event)
            }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            done.succeed()
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.fail(ChannelError.eof)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
            context.fireErrorCaught(error)
        }
    }

    /// Takes the server's first answer off the channel, and itself with it.
    private final class FirstAnswer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        let answer: EventLoopPromise<ByteBuffer>

        init(answer: EventLoopPromise<ByteBuffer>) { self.answer = answer }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            answer.succeed(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            answer.fail(ChannelError.eof)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            answer.fail(error)
            context.fireErrorCaught(error)
        }
    }
}

import PostgresNIO

/// Ends a login the moment the server asks for the password in clear text, before postgres-nio can answer.
///
/// postgres-nio answers AuthenticationCleartextPassword with whatever password it holds and has no setting to refuse
/// it (libpq's `require_auth`). Whoever names a store's address (a workspace's cdp.toml, `--store`) could run a server
/// that asks for SCRAM first, so that cdp logs in again with the password, and then asks for it in clear text. This
/// handler sits between the transport (after TLS) and postgres-nio and hands on only whole server messages: a
/// cleartext request is never handed on; the login fails with ``Refusal/cleartextPasswordRequested`` and the
/// connection is closed. From AuthenticationOk on it steps out of the way.
final class CleartextPasswordRefusal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Refusal: Error {
        /// The server asked for the password in clear text.
        case cleartextPasswordRequested
        /// The server sent a message whose length cannot be (less than its own four bytes).
        case malformedMessage
    }

    /// Bytes of a server message that has not arrived whole yet.
    private var pending = ByteBuffer()
    private var refused = false

    private static let authenticationRequest = UInt8(ascii: "R")
    private static let authenticationOK: Int32 = 0
    private static let cleartextPasswordRequest: Int32 = 3

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        var bytes = unwrapInboundIn(data)
        pending.writeBuffer(&bytes)
        var end = pending.readerIndex
        // Each message: a type byte, then its length as Int32 counting itself, then the body.
        while let type = pending.getInteger(at: end, as: UInt8.self), let length = pending.getInteger(at: end + 1, as: Int32.self) {
            guard length >= 4 else {
                refuse(.malformedMessage, forwardingUpTo: end, context: context)
                return
            }
            guard pending.writerIndex >= end + 1 + Int(length) else { break }
            if type == Self.authenticationRequest, length >= 8, let request = pending.getInteger(at: end + 5, as: Int32.self) {
                if request == Self.cleartextPasswordRequest {
                    refuse(.cleartextPasswordRequested, forwardingUpTo: end, context: context)
                    return
                }
                if request == Self.authenticationOK {
                    // Logged in: what follows (parameters, queries' rows) is none of this handler's business.
                    forward(upTo: pending.writerIndex, context: context)
                    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                    return
                }
            }
            end += 1 + Int(length)
        }
        forward(upTo: end, context: context)
    }

    private func refuse(_ refusal: Refusal, forwardingUpTo end: Int, context: ChannelHandlerContext) {
        refused = true
        forward(upTo: end, context: context)
        context.fireErrorCaught(refusal)
        context.close(promise: nil)
    }

    private func forward(upTo end: Int, context: ChannelHandlerContext) {
        guard end > pending.readerIndex, let whole = pending.readSlice(length: end - pending.readerIndex) else { return }
        context.fireChannelRead(wrapInboundOut(whole))
        pending.discardReadBytes()
    }
}

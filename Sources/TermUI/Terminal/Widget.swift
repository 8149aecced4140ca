/// Something that draws itself into an area of a buffer and keeps no state between frames.
public protocol Widget {
    func render(in area: Rect, buffer: inout Buffer)
}

/// A widget whose state (selection, scroll offset, cursor) lives with the caller between frames.
public protocol StatefulWidget {
    associatedtype State
    func render(in area: Rect, buffer: inout Buffer, state: inout State)
}

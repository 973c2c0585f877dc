// What the transcript editor needs from Yjs: the document types, binary updates and awareness
// (other editors' cursors). Bundled so the court's pages load nothing from the internet.
export * as Y from "yjs";
export * as awarenessProtocol from "y-protocols/awareness";

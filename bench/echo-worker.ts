// The bench's baseline: a worker that posts every message straight back.
self.onmessage = (e: MessageEvent) => self.postMessage(e.data);

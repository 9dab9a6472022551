/**
 * Requests to the kernel and their replies (docs/protocol.md): every request
 * carries a request_id, the kernel answers with a "reply" custom message.
 */

import { Reply, Request } from './protocol';

export class RequestError extends Error {
  reply: Reply | null;
  constructor(message: string, reply: Reply | null = null) {
    super(message);
    this.reply = reply;
  }
}

/** A request as sent: the typed request plus its id. */
export type Sent = Request & { request_id: number };

export type RawSend = (msg: Sent) => void;

interface Pending {
  resolve: (r: Reply) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

export class RequestClient {
  private nextId: number;
  private pending = new Map<number, Pending>();

  constructor(
    private sendRaw: RawSend,
    private timeoutMs = 60000,
    firstId?: number
  ) {
    // Views of one editor share the reply channel; start each at a random
    // base so their ids do not collide.
    this.nextId = firstId ?? 1 + Math.floor(Math.random() * 1e9);
  }

  /** Send a request; resolves with the reply (ok or not), never rejects on refusal. */
  request(req: Request): Promise<Reply> {
    const id = this.nextId++;
    const msg: Sent = { ...req, request_id: id };
    return new Promise<Reply>(resolve => {
      const timer =
        this.timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              resolve({
                type: 'reply',
                request_id: id,
                ok: false,
                error: 'The kernel did not answer (is it running?)'
              });
            }, this.timeoutMs)
          : null;
      this.pending.set(id, { resolve, timer });
      try {
        this.sendRaw(msg);
      } catch (e) {
        this.pending.delete(id);
        if (timer) {
          clearTimeout(timer);
        }
        resolve({ type: 'reply', request_id: id, ok: false, error: String(e) });
      }
    });
  }

  /** Send a request and throw a RequestError when the kernel refuses it. */
  async call(req: Request): Promise<any> {
    const r = await this.request(req);
    if (!r.ok) {
      throw new RequestError(r.error || `The kernel refused "${req.type}"`, r);
    }
    return r.result ?? {};
  }

  /** Feed a custom message from the kernel; true if it answered one of our requests. */
  handleMessage(msg: any): boolean {
    if (!msg || msg.type !== 'reply' || typeof msg.request_id !== 'number') {
      return false;
    }
    const p = this.pending.get(msg.request_id);
    if (!p) {
      return false;
    }
    this.pending.delete(msg.request_id);
    if (p.timer) {
      clearTimeout(p.timer);
    }
    p.resolve(msg as Reply);
    return true;
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}

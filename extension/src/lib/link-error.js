// Why the native link could not carry a request: a DESIGN §2 reason word plus
// human text. Never carries a PIN or any request content.
export class LinkError extends Error {
  constructor(reason, message) {
    super(message);
    this.name = 'LinkError';
    this.reason = reason;
  }
}

#!/usr/bin/env python3
"""A test SMTP server (aiosmtpd) that saves every message it accepts.

Each accepted message is written to DIR/<n>.eml (n = 1, 2, ...; written to a temporary name first, then
renamed, so a reader never sees half a file) and described by one JSON line appended to DIR/log.jsonl:
{"n", "mail_from", "rcpt_tos", "size", "tls", "auth_user"}. Rejected attempts (--fail-first) are not saved.

Options:
  --port P                      listen on 127.0.0.1:P (0 = any free port)
  --maildir DIR                 where messages go (created if missing)
  --tls-cert F --tls-key F      offer STARTTLS and require it before MAIL
  --auth-user U --auth-password P
                                require AUTH PLAIN/LOGIN with these credentials (over TLS when TLS is on)
  --fail-first N                answer "451 temporary failure" to the first N messages
  --fail-code CODE              the reply code --fail-first uses (default 451; e.g. 554 for a permanent refusal)
  --drop-mid-data N             for the first N messages, read one line of the DATA and then drop the connection
                                (the message is incomplete and not saved)
  --drop-after-data N           for the first N messages, save the message and then drop the connection before
                                answering 250 (the client cannot know it was accepted: it will send it again)

Prints "READY <port>" on stdout once it listens, and nothing else there. Stops on SIGTERM or SIGINT.

Example:
  python tests/toolkits/smtp_server.py --port 2525 --maildir /tmp/mails --fail-first 1
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class SaveHandler:
    def __init__(self, maildir, fail_first, fail_code, drop_after_data):
        self.maildir = maildir
        self.fail_left = fail_first
        self.fail_reply = f"{fail_code} {'temporary' if fail_code < 500 else 'permanent'} failure"
        self.drop_after_left = drop_after_data
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.fail_left > 0:
            self.fail_left -= 1
            return self.fail_reply
        self.save(session, envelope)
        if self.drop_after_left > 0:
            self.drop_after_left -= 1
            # Accepted and saved, but the client never hears the 250.
            server.transport.abort()
        return "250 OK"

    def save(self, session, envelope):
        self.count += 1
        data = envelope.original_content or b""
        path = os.path.join(self.maildir, f"{self.count}.eml")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        auth_user = None
        if isinstance(session.auth_data, LoginPassword):
            auth_user = session.auth_data.login.decode("utf-8", "replace")
        record = {
            "n": self.count,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "size": len(data),
            "tls": session.ssl is not None,
            "auth_user": auth_user,
        }
        with open(os.path.join(self.maildir, "log.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


class DroppingSMTP(SMTP):
    """An SMTP session that can drop the connection in the middle of a DATA transfer."""

    # Shared by all sessions: how many more DATA transfers to cut.
    drop_mid_data_left = 0

    async def smtp_DATA(self, arg):
        if DroppingSMTP.drop_mid_data_left > 0 and self.envelope.rcpt_tos and not arg:
            DroppingSMTP.drop_mid_data_left -= 1
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readline()
            self.transport.abort()
            return
        await super().smtp_DATA(arg)


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        # handled=False: aiosmtpd sends the standard 235/535 replies itself.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def parse_args(argv):
    p = argparse.ArgumentParser(description="A test SMTP server that saves messages as .eml files.")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--auth-user")
    p.add_argument("--auth-password")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--fail-code", type=int, default=451)
    p.add_argument("--drop-mid-data", type=int, default=0)
    p.add_argument("--drop-after-data", type=int, default=0)
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if bool(args.auth_user) != bool(args.auth_password):
        p.error("--auth-user and --auth-password go together")
    return args


async def serve(args):
    os.makedirs(args.maildir, exist_ok=True)
    handler = SaveHandler(args.maildir, args.fail_first, args.fail_code, args.drop_after_data)
    DroppingSMTP.drop_mid_data_left = args.drop_mid_data
    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)
    authenticator = Authenticator(args.auth_user, args.auth_password) if args.auth_user else None

    def factory():
        return DroppingSMTP(
            handler,
            # A fixed name: the default asks DNS for the FQDN, which can be slow.
            hostname="smtp.test",
            tls_context=tls_context,
            require_starttls=tls_context is not None,
            authenticator=authenticator,
            auth_required=authenticator is not None,
            # Plain AUTH is allowed only when the test runs without TLS at all.
            auth_require_tls=tls_context is not None,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host="127.0.0.1", port=args.port)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main(argv):
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main(sys.argv[1:])

// The JeroMQ side of tests/interop/test_jeromq.py: one socket, driven line by line on stdin.
//
//     java -cp jeromq.jar:BUILD Peer TYPE (bind|connect) ENDPOINT [ROUTING_ID_HEX]
//
// It prints "READY <endpoint>" once bound (an endpoint ending in ":*" binds a random port) or
// connected, then answers each command line:
//
//     send F1 F2 ...    one message, each frame in hex ("-" is an empty frame) -> "SENT"
//     recv [MS]         one message within MS ms (default 10000) -> "MSG F1 F2 ..." or "TIMEOUT"
//     sub HEX / unsub HEX                                          -> "OK"
//     quit                                                         -> "BYE", then exit
//
// Any failure prints "ERROR <what>" and exits 1. Frames are hex so that any bytes survive.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.zeromq.ZMQ;

public final class Peer {
    private static final HexFormat HEX = HexFormat.of();

    private static int type(String name) {
        switch (name) {
            case "PAIR": return ZMQ.PAIR;
            case "PUB": return ZMQ.PUB;
            case "SUB": return ZMQ.SUB;
            case "REQ": return ZMQ.REQ;
            case "REP": return ZMQ.REP;
            case "DEALER": return ZMQ.DEALER;
            case "ROUTER": return ZMQ.ROUTER;
            case "PULL": return ZMQ.PULL;
            case "PUSH": return ZMQ.PUSH;
            case "XPUB": return ZMQ.XPUB;
            case "XSUB": return ZMQ.XSUB;
            default: throw new IllegalArgumentException("unknown socket type " + name);
        }
    }

    private static byte[] frame(String hex) {
        return hex.equals("-") ? new byte[0] : HEX.parseHex(hex);
    }

    private static String show(byte[] frame) {
        return frame.length == 0 ? "-" : HEX.formatHex(frame);
    }

    public static void main(String[] args) throws Exception {
        ZMQ.Context ctx = ZMQ.context(1);
        ZMQ.Socket sock = ctx.socket(type(args[0]));
        sock.setLinger(2000);
        sock.setSendTimeOut(10000);
        if (args.length > 3) {
            sock.setIdentity(frame(args[3]));
        }
        String endpoint = args[2];
        if (args[1].equals("bind")) {
            if (endpoint.endsWith(":*")) {
                String base = endpoint.substring(0, endpoint.length() - 2);
                endpoint = base + ":" + sock.bindToRandomPort(base);
            } else {
                sock.bind(endpoint);
            }
        } else {
            sock.connect(endpoint);
        }
        System.out.println("READY " + endpoint);
        System.out.flush();
        BufferedReader in = new BufferedReader(
            new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        int status = 0;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split(" ");
            String reply;
            switch (words[0]) {
                case "send": {
                    boolean sent = true;
                    for (int i = 1; i < words.length; i++) {
                        sent &= sock.send(frame(words[i]), i + 1 < words.length ? ZMQ.SNDMORE : 0);
                    }
                    reply = sent ? "SENT" : "ERROR send timed out";
                    break;
                }
                case "recv": {
                    sock.setReceiveTimeOut(words.length > 1 ? Integer.parseInt(words[1]) : 10000);
                    byte[] first = sock.recv(0);
                    if (first == null) {
                        reply = "TIMEOUT";
                        break;
                    }
                    StringBuilder out = new StringBuilder("MSG ").append(show(first));
                    while (sock.hasReceiveMore()) {
                        out.append(' ').append(show(sock.recv(0)));
                    }
                    reply = out.toString();
                    break;
                }
                case "sub":
                    sock.subscribe(frame(words.length > 1 ? words[1] : "-"));
                    reply = "OK";
                    break;
                case "unsub":
                    sock.unsubscribe(frame(words.length > 1 ? words[1] : "-"));
                    reply = "OK";
                    break;
                case "quit":
                    reply = "BYE";
                    break;
                default:
                    reply = "ERROR unknown command " + words[0];
                    status = 1;
            }
            System.out.println(reply);
            System.out.flush();
            if (status != 0 || words[0].equals("quit")) {
                break;
            }
        }
        sock.close();
        ctx.term();
        System.exit(status);
    }
}

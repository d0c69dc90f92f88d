package loomproxy.tls.der;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import loomproxy.testkit.Mutate;

/**
 * Structure-aware mutation of DER for the fuzz tests: the input is parsed leniently into a tree
 * (descending into OCTET and BIT STRINGs that hold DER, as PKCS#8 holds PKCS#1 and SEC1), one to three
 * elements are changed, and the tree is written back with consistent lengths except where a length
 * itself is the mutation. A quarter of the time, or when the input is no DER, plain byte mutation.
 */
public final class DerMutations {
    /** Lengths that have broken DER readers: indefinite, 2 GB, 4 GB, five octets, nine octets, reserved 0xFF. */
    private static final byte[][] BAD_LENGTHS = {{(byte) 0x80}, {(byte) 0x84, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
            {(byte) 0x84, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, {(byte) 0x85, 1, 0, 0, 0, 0},
            {(byte) 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0}, {(byte) 0xFF}, {(byte) 0x81, 0}, {(byte) 0x82, 0, 1}};
    /** INTEGER contents: zero, -1, the sign-bit trap, 2^31-1 (an iteration count), 2^32, 2^64, a 129-bit one. */
    private static final byte[][] INTEGERS = {{0}, {(byte) 0xFF}, {(byte) 0x80}, {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
            {1, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 0, 0, 0, 0}, {}, {0, 0, 1}, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}};
    private static final int[] TAGS = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0C, 0x13, 0x17, 0x18, 0x30, 0x31, 0xA0, 0xA1,
            0x80, 0x81, 0x1F, 0x3F, 0x00, 0x20};
    private static final int[] NESTING = {1, 2, 64, 1_000, 30_000};

    /** One element of the lenient parse: children for constructed ones, content otherwise. */
    private static final class Node {
        int tag;
        byte[] prefix = new byte[0]; // a BIT STRING's unused-bits octet before the DER it holds
        byte[] content;
        List<Node> children;
        byte[] lengthOctets; // replaces the right length when set
        int lengthDelta;
        boolean indefinite;
        int wraps;
        boolean wrapsIndefinite;

        Node copy() {
            Node copy = new Node();
            copy.tag = tag;
            copy.prefix = prefix;
            copy.content = content;
            copy.children = children == null ? null : new ArrayList<>(children.stream().map(Node::copy).toList());
            copy.lengthOctets = lengthOctets;
            copy.lengthDelta = lengthDelta;
            copy.indefinite = indefinite;
            copy.wraps = wraps;
            copy.wrapsIndefinite = wrapsIndefinite;
            return copy;
        }
    }

    private DerMutations() {}

    public static byte[] mutate(SplittableRandom random, byte[] der, byte[] donor) {
        List<Node> tree = parse(der, 0, der.length, 0);
        if (tree == null || tree.isEmpty() || random.nextInt(4) == 0) {
            return Mutate.bytes(random, der, donor);
        }
        List<Node> donorTree = parse(donor, 0, donor.length, 0);
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            mutateOne(random, tree, donorTree == null ? tree : donorTree);
        }
        byte[] out = encode(tree);
        return random.nextInt(8) == 0 ? Mutate.bytes(random, out, donor) : out;
    }

    private static void mutateOne(SplittableRandom random, List<Node> tree, List<Node> donorTree) {
        List<List<Node>> parents = new ArrayList<>();
        collect(tree, parents);
        List<Node> siblings = parents.get(random.nextInt(parents.size()));
        if (siblings.isEmpty()) {
            siblings.add(randomNode(random, donorTree));
            return;
        }
        int index = random.nextInt(siblings.size());
        Node node = siblings.get(index);
        switch (random.nextInt(10)) {
            case 0 -> node.lengthOctets = BAD_LENGTHS[random.nextInt(BAD_LENGTHS.length)];
            case 1 -> node.lengthDelta = random.nextBoolean() ? 1 : -1;
            case 2 -> node.tag = random.nextInt(3) == 0 ? random.nextInt(256) : TAGS[random.nextInt(TAGS.length)];
            case 3 -> newContent(random, node);
            case 4 -> siblings.remove(index);
            case 5 -> siblings.add(index, node.copy());
            case 6 -> siblings.set(index, randomNode(random, donorTree));
            case 7 -> Collections.swap(siblings, index, random.nextInt(siblings.size()));
            case 8 -> nest(random, node);
            default -> node.indefinite = node.children != null;
        }
    }

    private static void newContent(SplittableRandom random, Node node) {
        node.children = null;
        node.prefix = new byte[0];
        node.content = switch (random.nextInt(6)) {
            case 0 -> INTEGERS[random.nextInt(INTEGERS.length)];
            case 1 -> new byte[0];
            case 2 -> Mutate.randomBytes(random, 1 + random.nextInt(40));
            case 3 -> longArc(1 + random.nextInt(random.nextInt(10) > 0 ? 64 : 100_000));
            case 4 -> node.content == null || node.content.length == 0 ? new byte[] {0}
                    : Mutate.bytes(random, node.content, node.content);
            default -> new byte[1 + random.nextInt(random.nextInt(10) > 0 ? 300 : 70_000)];
        };
    }

    /** An OBJECT IDENTIFIER (or INTEGER) body of one subidentifier {@code length} octets long. */
    private static byte[] longArc(int length) {
        byte[] arc = new byte[length];
        Arrays.fill(arc, (byte) 0xFF);
        arc[length - 1] = 0x01;
        return arc;
    }

    private static void nest(SplittableRandom random, Node node) {
        int deepest = random.nextInt(8) == 0 ? NESTING.length : NESTING.length - 1;
        node.wraps = NESTING[random.nextInt(deepest)];
        node.wrapsIndefinite = random.nextBoolean();
    }

    private static Node randomNode(SplittableRandom random, List<Node> tree) {
        List<Node> all = new ArrayList<>();
        List<List<Node>> parents = new ArrayList<>();
        collect(tree, parents);
        parents.forEach(all::addAll);
        return all.isEmpty() ? primitive(0x05, new byte[0]) : all.get(random.nextInt(all.size())).copy();
    }

    private static void collect(List<Node> siblings, List<List<Node>> parents) {
        parents.add(siblings);
        for (Node node : siblings) {
            if (node.children != null) {
                collect(node.children, parents);
            }
        }
    }

    // ---- lenient parse: definite lengths, single-octet tags; null where the bytes are no DER ----

    private static List<Node> parse(byte[] der, int from, int to, int depth) {
        List<Node> nodes = new ArrayList<>();
        int at = from;
        while (at < to) {
            if (depth > 40 || at + 2 > to || (der[at] & 0x1F) == 0x1F) {
                return null;
            }
            int tag = der[at] & 0xFF;
            int first = der[at + 1] & 0xFF;
            int count = first < 0x80 ? 0 : first & 0x7F;
            if (count > 3 || at + 2 + count > to) {
                return null;
            }
            int length = count == 0 ? first : 0;
            for (int i = 0; i < count; i++) {
                length = (length << 8) | (der[at + 2 + i] & 0xFF);
            }
            int start = at + 2 + count;
            if ((first == 0x80) || length > to - start) {
                return null;
            }
            nodes.add(node(tag, der, start, start + length, depth));
            at = start + length;
        }
        return nodes;
    }

    private static Node node(int tag, byte[] der, int from, int to, int depth) {
        Node node = primitive(tag, Arrays.copyOfRange(der, from, to));
        boolean bitString = tag == 0x03 && to - from > 1 && der[from] == 0;
        int inner = bitString ? from + 1 : from;
        if ((tag & 0x20) != 0 || ((tag == 0x04 || bitString) && inner < to && der[inner] == 0x30)) {
            List<Node> children = parse(der, inner, to, depth + 1);
            if (children != null) {
                node.children = children;
                node.content = null;
                node.prefix = bitString ? new byte[] {0} : new byte[0];
            }
        }
        return node;
    }

    private static Node primitive(int tag, byte[] content) {
        Node node = new Node();
        node.tag = tag;
        node.content = content;
        return node;
    }

    // ---- encode: lengths right unless overridden; nesting written without recursion ----

    private static byte[] encode(List<Node> nodes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Node node : nodes) {
            out.writeBytes(encode(node));
        }
        return out.toByteArray();
    }

    private static byte[] encode(Node node) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(node.prefix);
        body.writeBytes(node.children == null ? node.content : encode(node.children));
        byte[] element = tlv(node.tag, body.toByteArray(), node.lengthOctets, node.lengthDelta, node.indefinite);
        return node.wraps == 0 ? element : wrap(element, node.wraps, node.wrapsIndefinite);
    }

    private static byte[] tlv(int tag, byte[] content, byte[] lengthOctets, int delta, boolean indefinite) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 8);
        out.write(tag);
        out.writeBytes(indefinite ? new byte[] {(byte) 0x80}
                : lengthOctets != null ? lengthOctets : length(Math.max(0, content.length + delta)));
        out.writeBytes(content);
        out.writeBytes(indefinite ? new byte[2] : new byte[0]);
        return out.toByteArray();
    }

    /** {@code depth} SEQUENCEs around {@code inner}, headers built inside out, all written in one pass. */
    public static byte[] wrap(byte[] inner, int depth, boolean indefinite) {
        byte[][] headers = new byte[depth][];
        long size = inner.length;
        for (int i = depth - 1; i >= 0; i--) {
            headers[i] = indefinite ? new byte[] {0x30, (byte) 0x80} : concat(new byte[] {0x30}, length((int) size));
            size += headers[i].length + (indefinite ? 2 : 0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
        Arrays.stream(headers).forEach(out::writeBytes);
        out.writeBytes(inner);
        out.writeBytes(indefinite ? new byte[2 * depth] : new byte[0]);
        return out.toByteArray();
    }

    private static byte[] length(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        int octets = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
        byte[] out = new byte[1 + octets];
        out[0] = (byte) (0x80 | octets);
        for (int i = 0; i < octets; i++) {
            out[octets - i] = (byte) (length >>> (8 * i));
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package dev.lycoris4j.diffusion.tokenizer;

import java.util.Arrays;

/**
 * CLIP's byte-level alphabet ({@code bytes_to_unicode} in open_clip and transformers): every byte gets a printable,
 * non-whitespace character, so BPE works on arbitrary UTF-8 without ever seeing a space or a control byte. The 188
 * printable Latin-1 bytes stand for themselves; the other 68 bytes take U+0100 upwards, in byte order.
 */
final class ByteAlphabet {
    static final int SIZE = 256;

    private static final char[] CHAR_OF_BYTE = new char[SIZE];
    /** Indexed by character; every character of the alphabet is below U+0100 + 68. */
    private static final int[] BYTE_OF_CHAR = new int[SIZE + 68];
    /** The characters in the order they occupy ids 0..255 of the vocabulary: printable bytes first, then the rest. */
    private static final char[] VOCABULARY_ORDER = new char[SIZE];

    static {
        Arrays.fill(BYTE_OF_CHAR, -1);
        int nextShifted = SIZE;
        int printableCount = 0;
        for (int b = 0; b < SIZE; b++) {
            if (isPrintable(b)) {
                CHAR_OF_BYTE[b] = (char) b;
                VOCABULARY_ORDER[printableCount++] = (char) b;
            }
        }
        int order = printableCount;
        for (int b = 0; b < SIZE; b++) {
            if (!isPrintable(b)) {
                CHAR_OF_BYTE[b] = (char) nextShifted++;
                VOCABULARY_ORDER[order++] = CHAR_OF_BYTE[b];
            }
        }
        for (int b = 0; b < SIZE; b++) BYTE_OF_CHAR[CHAR_OF_BYTE[b]] = b;
    }

    private ByteAlphabet() {}

    /** The ranges '!'..'~', '¡'..'¬' and '®'..'ÿ' of {@code bytes_to_unicode}. */
    private static boolean isPrintable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    static char charOf(int unsignedByte) {
        return CHAR_OF_BYTE[unsignedByte];
    }

    /** The byte a character stands for, or -1 when the character is not part of the alphabet. */
    static int byteOf(char c) {
        return c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
    }

    /** The alphabet character that vocabulary id {@code id} (0..255) holds in open_clip's construction. */
    static char inVocabularyOrder(int id) {
        return VOCABULARY_ORDER[id];
    }
}

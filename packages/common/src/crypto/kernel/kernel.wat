;; The data-path kernel of SRTP and DTLS records: the per-packet work around AES that
;; node:crypto cannot do once per key. AES itself (the keystream, from counter blocks this kernel
;; lays out) stays in the crypto backend; the inner SHA-1 of HMAC stays there too. What is here:
;;
;; - `xor`: the AES counter-mode XOR, 16 bytes a step (SIMD).
;; - `gcmSeal` / `gcmVerify`: AES-GCM (NIST SP 800-38D §7) given the keystream: GCTR as that XOR,
;;   and GHASH (§6.4) by 4-bit tables. node:crypto has no reusable GCM context; creating a cipher
;;   per packet costs several times the hashing itself.
;; - `counterBlocks`: counter blocks IV + i for one packet, for the backend's AES-ECB.
;; - `sha1Block`: one SHA-1 compression (FIPS 180-4 §6.1.2) from a saved state — HMAC's outer
;;   hash (RFC 2104), whose input is a single block after the precomputed K ^ opad block.
;;
;; Memory layout (tables, scratch, packet regions) belongs to kernel.ts; every function takes the
;; addresses it uses. Regions read by 16-byte loads must have 16 bytes of slack after them.
;; Compiled to kernel-binary.ts by `npm run build:kernel -w @typertc/common` (wabt).
(module
  (memory (export "memory") 1)

  ;; Lanes 0..15, compared with the byte count of a partial block to mask it.
  (global $iota v128 (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))

  ;; A mask of the first $count (0..16) bytes.
  (func $firstBytes (param $count i32) (result v128)
    (i8x16.lt_u (global.get $iota) (i8x16.splat (local.get $count))))

  ;; dst[i] = src[i] ^ key[i] for i < length; dst may be src. A partial last step keeps the
  ;; bytes of dst past length.
  (func $xor (export "xor") (param $dst i32) (param $src i32) (param $key i32) (param $length i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (local.get $length)))
    (block $tail
      (loop $step
        (br_if $tail (i32.lt_u (i32.sub (local.get $end) (local.get $dst)) (i32.const 16)))
        (v128.store (local.get $dst)
          (v128.xor (v128.load (local.get $src)) (v128.load (local.get $key))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $key (i32.add (local.get $key) (i32.const 16)))
        (br $step)))
    (if (i32.ne (local.get $dst) (local.get $end))
      (then
        (v128.store (local.get $dst)
          (v128.bitselect
            (v128.xor (v128.load (local.get $src)) (v128.load (local.get $key)))
            (v128.load (local.get $dst))
            (call $firstBytes (i32.sub (local.get $end) (local.get $dst))))))))

  ;; GHASH (SP 800-38D §6.4) of length bytes at data, continuing from $y; a partial last block is
  ;; zero-padded (§7.1 pads A and C). Each block: Y = (Y ^ X) * H, the product as the XOR of 32
  ;; table entries, one per nibble of Y ^ X: the entry for value n at nibble position q
  ;; (table + q * 256 + n * 16) is n * x^(4q) * H, so no shifting or reduction is left to do here.
  ;; Nibble q is the high (even q) or low (odd q) half of byte q / 2; bytes come out of two
  ;; little-endian 64-bit lanes, byte k at bit 8k of its lane.
  (func $ghash (param $table i32) (param $y v128) (param $data i32) (param $length i32)
    (result v128)
    (local $end i32) (local $x v128) (local $lo i64) (local $hi i64) (local $a v128) (local $b v128)
    (local.set $end (i32.add (local.get $data) (local.get $length)))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $data) (local.get $end)))
        (local.set $x (v128.load (local.get $data)))
        (if (i32.lt_u (i32.sub (local.get $end) (local.get $data)) (i32.const 16))
          (then
            (local.set $x
              (v128.and (local.get $x)
                (call $firstBytes (i32.sub (local.get $end) (local.get $data)))))))
        (local.set $x (v128.xor (local.get $y) (local.get $x)))
        (local.set $lo (i64x2.extract_lane 0 (local.get $x)))
        (local.set $hi (i64x2.extract_lane 1 (local.get $x)))
        ;; Bytes 0..7 (nibbles 0..15) from $lo: high nibble (b & 0xf0), low nibble (b << 4).
        (local.set $a (v128.load offset=0 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (local.get $lo)) (i32.const 0xf0)))))
        (local.set $b (v128.load offset=256 (i32.add (local.get $table)
          (i32.and (i32.shl (i32.wrap_i64 (local.get $lo)) (i32.const 4)) (i32.const 0xf0)))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=512 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 8))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=768 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 4))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=1024 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 16))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=1280 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 12))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=1536 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 24))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=1792 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 20))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=2048 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 32))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=2304 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 28))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=2560 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 40))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=2816 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 36))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=3072 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 48))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=3328 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 44))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=3584 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 56))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=3840 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $lo) (i64.const 52))) (i32.const 0xf0))))))
        ;; Bytes 8..15 (nibbles 16..31) from $hi.
        (local.set $a (v128.xor (local.get $a) (v128.load offset=4096 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (local.get $hi)) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=4352 (i32.add (local.get $table)
          (i32.and (i32.shl (i32.wrap_i64 (local.get $hi)) (i32.const 4)) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=4608 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 8))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=4864 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 4))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=5120 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 16))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=5376 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 12))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=5632 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 24))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=5888 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 20))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=6144 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 32))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=6400 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 28))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=6656 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 40))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=6912 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 36))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=7168 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 48))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=7424 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 44))) (i32.const 0xf0))))))
        (local.set $a (v128.xor (local.get $a) (v128.load offset=7680 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 56))) (i32.const 0xf0))))))
        (local.set $b (v128.xor (local.get $b) (v128.load offset=7936 (i32.add (local.get $table)
          (i32.and (i32.wrap_i64 (i64.shr_u (local.get $hi) (i64.const 52))) (i32.const 0xf0))))))
        (local.set $y (v128.xor (local.get $a) (local.get $b)))
        (local.set $data (i32.add (local.get $data) (i32.const 16)))
        (br $block)))
    (local.get $y))

  (func $byteSwap (param $x i32) (result i32)
    (i32.or
      (i32.or (i32.shl (local.get $x) (i32.const 24))
        (i32.and (i32.shl (local.get $x) (i32.const 8)) (i32.const 0xff0000)))
      (i32.or (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 0xff00))
        (i32.shr_u (local.get $x) (i32.const 24)))))

  ;; GHASH over A (aad) and C (text), then the block len(A) || len(C) in bits (§7.1 step 5),
  ;; written at $scratch. Lengths here are far below 2^29 bytes, so each fits the low 32 bits of
  ;; its 64-bit big-endian field.
  (func $gcmHash (param $table i32) (param $aad i32) (param $aadLength i32) (param $text i32)
    (param $textLength i32) (param $scratch i32) (result v128)
    (local $y v128)
    (local.set $y (call $ghash (local.get $table) (v128.const i64x2 0 0)
      (local.get $aad) (local.get $aadLength)))
    (local.set $y (call $ghash (local.get $table) (local.get $y)
      (local.get $text) (local.get $textLength)))
    (v128.store (local.get $scratch)
      (i32x4.replace_lane 3
        (i32x4.replace_lane 1 (v128.const i64x2 0 0)
          (call $byteSwap (i32.shl (local.get $aadLength) (i32.const 3))))
        (call $byteSwap (i32.shl (local.get $textLength) (i32.const 3)))))
    (call $ghash (local.get $table) (local.get $y) (local.get $scratch) (i32.const 16)))

  ;; AES-GCM encryption (§7.1) in place: text ^= keystream from its second block, then the tag,
  ;; GHASH ^ E(K, J0) (the keystream's first block), written right after the text.
  (func (export "gcmSeal") (param $table i32) (param $keystream i32) (param $aad i32)
    (param $aadLength i32) (param $text i32) (param $textLength i32)
    (local $tagAt i32)
    (local.set $tagAt (i32.add (local.get $text) (local.get $textLength)))
    (call $xor (local.get $text) (local.get $text)
      (i32.add (local.get $keystream) (i32.const 16)) (local.get $textLength))
    (v128.store (local.get $tagAt)
      (v128.xor (v128.load (local.get $keystream))
        (call $gcmHash (local.get $table) (local.get $aad) (local.get $aadLength)
          (local.get $text) (local.get $textLength) (local.get $tagAt)))))

  ;; AES-GCM tag check (§7.2 steps 5-8): 1 when the 16-byte tag right after the text is GHASH
  ;; ^ E(K, J0) (the keystream's first block), else 0. The comparison does not branch on the tag
  ;; bytes, and nothing is decrypted: the caller decrypts (`xor`) only an authentic packet, and
  ;; only then may it touch keystream state (RFC 3711 §3.3: a rejected packet changes nothing).
  ;; The tag's bytes are overwritten.
  (func (export "gcmVerify") (param $table i32) (param $tagMask i32) (param $aad i32)
    (param $aadLength i32) (param $text i32) (param $textLength i32) (result i32)
    (local $tagAt i32) (local $received v128)
    (local.set $tagAt (i32.add (local.get $text) (local.get $textLength)))
    (local.set $received (v128.load (local.get $tagAt)))
    (i32.eqz
      (v128.any_true
        (v128.xor (local.get $received)
          (v128.xor (v128.load (local.get $tagMask))
            (call $gcmHash (local.get $table) (local.get $aad) (local.get $aadLength)
              (local.get $text) (local.get $textLength) (local.get $tagAt)))))))

  ;; $count counter blocks at dst: the 16-byte IV at $iv with bytes 14..15 replaced by the
  ;; big-endian block counter, from $first. The callers' IVs have zeros there (RFC 3711 §4.1.1
  ;; shifts a 112-bit IV by 16 bits; GCM with a 96-bit nonce, SP 800-38D §7.1 as RFC 7714 §8.1
  ;; and RFC 5288 §3 use it, appends a 32-bit counter, and messages stay below 2^16 blocks), so
  ;; this is IV + counter.
  (func (export "counterBlocks") (param $dst i32) (param $iv i32) (param $first i32)
    (param $count i32)
    (local $block v128) (local $counter i32) (local $end i32)
    (local.set $block (v128.load (local.get $iv)))
    (local.set $counter (local.get $first))
    (local.set $end (i32.add (local.get $first) (local.get $count)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $counter) (local.get $end)))
        (v128.store (local.get $dst)
          (i16x8.replace_lane 7 (local.get $block)
            (i32.or (i32.shl (i32.and (local.get $counter) (i32.const 0xff)) (i32.const 8))
              (i32.shr_u (local.get $counter) (i32.const 8)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $counter (i32.add (local.get $counter) (i32.const 1)))
        (br $next))))

  ;; One SHA-1 compression (FIPS 180-4 §6.1.2) of the 64-byte block at $block from the five
  ;; state words at $state (left unchanged), writing the resulting hash value big-endian to $out.
  ;; $schedule: 320 bytes of scratch for the message schedule W0..W79.
  (func (export "sha1Block") (param $state i32) (param $block i32) (param $schedule i32)
    (param $out i32)
    (local $t i32) (local $w i32) (local $x i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $temp i32)
    ;; W0..W15: the block's big-endian words.
    (loop $load
      (i32.store (i32.add (local.get $schedule) (local.get $t))
        (call $byteSwap (i32.load (i32.add (local.get $block) (local.get $t)))))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br_if $load (i32.lt_u (local.get $t) (i32.const 64))))
    ;; W16..W79 = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]).
    (loop $expand
      (local.set $w (i32.add (local.get $schedule) (local.get $t)))
      (i32.store (local.get $w)
        (i32.rotl
          (i32.xor
            (i32.xor (i32.load offset=0 (i32.sub (local.get $w) (i32.const 12)))
              (i32.load offset=0 (i32.sub (local.get $w) (i32.const 32))))
            (i32.xor (i32.load offset=0 (i32.sub (local.get $w) (i32.const 56)))
              (i32.load offset=0 (i32.sub (local.get $w) (i32.const 64)))))
          (i32.const 1)))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br_if $expand (i32.lt_u (local.get $t) (i32.const 320))))
    (local.set $a (i32.load offset=0 (local.get $state)))
    (local.set $b (i32.load offset=4 (local.get $state)))
    (local.set $c (i32.load offset=8 (local.get $state)))
    (local.set $d (i32.load offset=12 (local.get $state)))
    (local.set $e (i32.load offset=16 (local.get $state)))
    ;; Rounds 0..19: Ch(b, c, d), K = 0x5a827999.
    (local.set $t (i32.const 0))
    (loop $round
      (local.set $temp
        (i32.add (i32.add (i32.rotl (local.get $a) (i32.const 5))
            (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.add (i32.add (local.get $e) (i32.const 0x5a827999))
            (i32.load (i32.add (local.get $schedule) (local.get $t))))))
      (local.set $e (local.get $d))
      (local.set $d (local.get $c))
      (local.set $c (i32.rotl (local.get $b) (i32.const 30)))
      (local.set $b (local.get $a))
      (local.set $a (local.get $temp))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br_if $round (i32.lt_u (local.get $t) (i32.const 80))))
    ;; Rounds 20..39: Parity, K = 0x6ed9eba1.
    (loop $round
      (local.set $temp
        (i32.add (i32.add (i32.rotl (local.get $a) (i32.const 5))
            (i32.xor (local.get $b) (i32.xor (local.get $c) (local.get $d))))
          (i32.add (i32.add (local.get $e) (i32.const 0x6ed9eba1))
            (i32.load (i32.add (local.get $schedule) (local.get $t))))))
      (local.set $e (local.get $d))
      (local.set $d (local.get $c))
      (local.set $c (i32.rotl (local.get $b) (i32.const 30)))
      (local.set $b (local.get $a))
      (local.set $a (local.get $temp))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br_if $round (i32.lt_u (local.get $t) (i32.const 160))))
    ;; Rounds 40..59: Maj(b, c, d), K = 0x8f1bbcdc.
    (loop $round
      (local.set $temp
        (i32.add (i32.add (i32.rotl (local.get $a) (i32.const 5))
            (i32.or (i32.and (local.get $b) (local.get $c))
              (i32.and (local.get $d) (i32.or (local.get $b) (local.get $c)))))
          (i32.add (i32.add (local.get $e) (i32.const 0x8f1bbcdc))
            (i32.load (i32.add (local.get $schedule) (local.get $t))))))
      (local.set $e (local.get $d))
      (local.set $d (local.get $c))
      (local.set $c (i32.rotl (local.get $b) (i32.const 30)))
      (local.set $b (local.get $a))
      (local.set $a (local.get $temp))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br_if $round (i32.lt_u (local.get $t) (i32.const 240))))
    ;; Rounds 60..79: Parity, K = 0xca62c1d6.
    (loop $round
      (local.set $temp
        (i32.add (i32.add (i32.rotl (local.get $a) (i32.const 5))
            (i32.xor (local.get $b) (i32.xor (local.get $c) (local.get $d))))
          (i32.add (i32.add (local.get $e) (i32.const 0xca62c1d6))
            (i32.load (i32.add (local.get $schedule) (local.get $t))))))
      (local.set $e (local.get $d))
      (local.set $d (local.get $c))
      (local.set $c (i32.rotl (local.get $b) (i32.const 30)))
      (local.set $b (local.get $a))
      (local.set $a (local.get $temp))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br_if $round (i32.lt_u (local.get $t) (i32.const 320))))
    (i32.store offset=0 (local.get $out)
      (call $byteSwap (i32.add (i32.load offset=0 (local.get $state)) (local.get $a))))
    (i32.store offset=4 (local.get $out)
      (call $byteSwap (i32.add (i32.load offset=4 (local.get $state)) (local.get $b))))
    (i32.store offset=8 (local.get $out)
      (call $byteSwap (i32.add (i32.load offset=8 (local.get $state)) (local.get $c))))
    (i32.store offset=12 (local.get $out)
      (call $byteSwap (i32.add (i32.load offset=12 (local.get $state)) (local.get $d))))
    (i32.store offset=16 (local.get $out)
      (call $byteSwap (i32.add (i32.load offset=16 (local.get $state)) (local.get $e)))))
)

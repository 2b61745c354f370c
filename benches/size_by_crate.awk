# Groups the symbols of an unstripped ELF library by the crate their name starts with.
#   nm -C -S --size-sort lib.so | awk -f benches/size_by_crate.awk | sort -rn
# Counts code (t/T/w/W) and read-only data (r/R) symbols. `<A as B>::f` goes to A's crate and
# `drop_in_place<T>` to T's crate (a heuristic, like cargo-bloat's); C and assembly symbols go to
# the crate that ships them when their prefix says so.
function hex(s,   i, n) {
  n = 0
  s = tolower(s)
  for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
  return n
}
function bare(name) {
  while (name ~ /^(<|&|\*|dyn |mut |const |\()/) sub(/^(<|&|\*|dyn |mut |const |\()/, "", name)
  return name
}
NF >= 4 && $3 ~ /^[tTwWrR]$/ {
  name = $0
  sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", name)
  name = bare(name)
  if (name ~ /^(core|alloc|std)::ptr::drop_in_place</) {
    sub(/^[a-z]+::ptr::drop_in_place</, "", name)
    name = bare(name)
  }
  if (index(name, "::") > 0) crate = substr(name, 1, index(name, "::") - 1)
  else if (name ~ /^(uniffi_cocart_ffi|ffi_cocart_ffi)/) crate = "cocart_ffi"
  else if (name ~ /^(ring_|ecp_nistz256|GFp_|ChaCha20|x25519|p256_|p384_|LIMBS_|OPENSSL_|CRYPTO_)/) crate = "ring"
  else if (name ~ /^(ffi_|uniffi_)/) crate = "uniffi"
  else crate = "[C/asm symbols]"
  if (crate ~ /^\[/ && crate != "[C/asm symbols]" || crate ~ / as / || crate == "") crate = "[generic impls on slices/tuples]"
  sub(/<.*/, "", crate)
  size[crate] += hex($2)
  total += hex($2)
}
END {
  for (c in size) printf "%9d  %5.1f%%  %s\n", size[c], 100 * size[c] / total, c
  printf "%9d  100.0%%  (all code and read-only data symbols)\n", total
}

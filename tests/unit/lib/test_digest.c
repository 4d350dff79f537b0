/* test_digest.c — SHA-256 as the evidence writes it (lower-case hex),
 * bytes as hex, and the HMAC the reply tokens are made of, against the standards' vectors. */
#include <string.h>

#include "lib/digest.h"
#include "test.h"

int main(void)
{
	char hex[65], big[200000];
	unsigned char mac[32];
	char mac_hex[65];
	size_t i;

	/* FIPS 180-2 appendix B */
	digest_sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		  "SHA-256 of nothing");
	digest_sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		  "SHA-256 of \"abc\"");
	digest_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		  "SHA-256 of the two-block vector");
	memset(big, 'a', sizeof big);
	digest_sha256_hex(big, sizeof big, hex);
	CHECK(strlen(hex) == 64 && strspn(hex, "0123456789abcdef") == 64,
	      "a long input: 64 lower-case hex digits");

	{
		static const unsigned char bytes[] = { 0x00, 0x0f, 0xa0, 0xff, 0x5c };
		char out[11] = "xxxxxxxxxx";

		digest_hex(bytes, sizeof bytes, out);
		CHECK_STR(out, "000fa0ff5c", "bytes as lower-case hex, two digits each, leading zeros kept");
		digest_hex(bytes, 0, out);
		CHECK_STR(out, "", "... and no bytes as the empty string");
	}

	/* RFC 4231 test case 2 */
	digest_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	for (i = 0; i < sizeof mac; i++)
		snprintf(mac_hex + 2 * i, 3, "%02x", mac[i]);
	CHECK_STR(mac_hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		  "HMAC-SHA-256 of RFC 4231 case 2");
	return test_done();
}

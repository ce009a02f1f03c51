"""The scrubber against private strings in realistic sentences, and against ordinary text.

Every private string below was written for this project; none belongs to a real person. Each
sentence marks its private strings with «guillemets». Tokens whose prefixes secret scanners look
for (Stripe, Slack, GitHub...) are assembled at run time from parts, so the repository itself
never contains something a scanner would flag.
"""

from __future__ import annotations

import re
import stat

import pytest
from pydantic import SecretStr

from valuegraph.ingest.scrub import (
    PLACEHOLDER,
    Scrubber,
    find_private,
    hash_conversation_id,
    iban_ok,
    load_id_salt,
    luhn_ok,
)
from valuegraph.settings import Settings

TOKENS = {
    "ANTHROPIC": "sk-" + "ant-api03-" + "Qx7vLm2Pz9Rt4Ws8Yb1Nc6Hd3Fg5Jk0Ae",
    "OPENAI": "sk-" + "proj-" + "T5fR8kLm2Qw9Zx4Cv7Bn1Mj6Hg3Ds0Ap",
    "AWS_ID": "AKIA" + "JT6QX3ZW7RB2MN4P",
    "AWS_ID2": "ASIA" + "V4H7K2P9X5Q8R3T6",
    "GITHUB": "ghp_" + "a8Kf2LmQ9rT4vXz7Bc1Nd6Hj3Wp5Ys0EgUi",
    "GITHUB_PAT": "github_pat_" + "11ABCDE2F0gHiJkLmNoPqR_sTuVwXyZ0123456789",
    "GITLAB": "glpat-" + "Xy7Zq2Wv9Rt4Lm8Np3Ks",
    "SLACK": "xox" + "b-2719384756-4827361948-Rt5Yh8Jk2Lm9Pq4Wz7Xc",
    "SLACK_HOOK": "https://hooks.slack.com/services/" + "T04AB12CD/B05EF34GH/Zq8Wr2Tx5Yv9Lm3Kn7Pj",
    "GOOGLE": "AIza" + "SyD4kF9mQ2rT7vX1zB6nC8hJ3wP5yL0eGaU",
    "STRIPE": "sk_" + "live_" + "51Hx9Kq2Lm7Rt4Vw8Zy3",
    "STRIPE_TEST": "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "HF": "hf_" + "QmX8rT2vLz9Kp4Wn7Yb1Hc6Jd3Fg5Ns0AeUi",
    "NPM": "npm_" + "Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx5",
    "SENDGRID": "SG." + "Xq7Lm2Pz9Rt4Ws8Yb1Nc6H" + "." + "d3Fg5Jk0AeQx7vLm2Pz9Rt4Ws8Yb1Nc6Hd3F",
    "TWILIO": "SK" + "3f9a2b7c4d1e8f6a5b0c9d2e7f4a1b8c",
    "JWT": "eyJhbGciOiJIUzI1NiJ9" + "." + "eyJzdWIiOiJtYXJhLmtAdGVzdCJ9" + ".Xq7Lm2Pz9Rt4Ws8Yb1Nc6",
    "PEM": "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM\n"
    "qwerty9Xh2K4Lp7Rt1Vz\n-----END RSA PRIVATE KEY-----",
}

# Each «marked» span is one private string that must not survive scrubbing.
PRIVATE_SENTENCES = r"""
Can you proofread my cover letter? Replies should go to «maya.okafor@example.com».
My old uni address «t.lindqvist@student.example.ac.uk» bounces, so use «tove.l+jobs@example.org».
Forward the invoice to «accounts-payable@northwind-traders.example» before Friday.
The landlord's email is «r.delacroix@example.fr» but he rarely answers.
I signed up with «kenji_watanabe1987@example.jp» and forgot which password I used.
Please cc «hr.team@example.co.uk» and «priya.nair@example.in» on the thread.
Her handle on the forum is linked to «jordan.m.bell@example.net», which worries her.
Write to «support@tiny-bakery.example.com» if the order is late.
My email is «samuel dot ortiz at gmail dot com» if you need it in the letter.
Reach the club secretary at «fiona[at]example[dot]org» for membership questions.
Send the draft to «li.wei@example.cn» and «a.kowalski@example.pl» for review.
The reference said to contact «dr.helen.achebe@example-hospital.org» directly.
Alerts go to «oncall+db@example.io» but nobody reads them at night.
My daughter's teacher is «mrs.gallagher@example-school.edu».
Use «noah.b.88@example.com» as the reply-to address in the template.
He sent it from «m_ferreira@example.com.br», which I didn't recognise.
I think the scammer used «paypal-security@example-alerts.com».
My partner's work email is «c.nguyen@example-consulting.com».
Contact «eleanor.voss@example.de» for the German translation.
Billing questions: «billing@example-saas.io», or ask «oskar@example-saas.io».
Can you make this sound friendlier? Call me on «+1 415 555 0132» if anything is unclear.
My mobile is «07700 900461» and my landline is «020 7946 0958».
The clinic's number is «(212) 555-0147», extension 3.
Text me at «555-867-5309» when you land.
Our office in Paris is on «+33 1 42 68 53 00», open from nine.
My Indian number is «+91 98765 43210» if WhatsApp fails.
Ring the site manager on «0161 496 0732» about the delivery.
Her German mobile is «+49 151 23456789».
You can reach me at «+61 412 345 678» during Sydney hours.
Phone: «415.555.0198» (cell, text preferred).
My French number is «06 12 34 56 78».
The hotline «1-800-555-0199» never picks up.
Call my husband at «+1 (646) 555-0173» if I'm not answering.
Fax it to «+44 113 496 0000», attention Claims.
The Brazilian office line is «+55 11 98765-4321».
His Japanese number is «+81 90-1234-5678».
My number is «9175550143» and I prefer texts.
For emergencies: «+353 87 123 4567».
The plumber left his cell, «(503) 555-0121», on the fridge.
Tel. «+27 21 555 0199» for the Cape Town branch.
Why does my server at «203.0.113.45» keep dropping SSH connections?
I whitelisted «198.51.100.23» and «198.51.100.24» but the firewall still blocks them.
My home router is «192.168.1.254» and the NAS is «192.168.1.40».
The attacker's IP was «45.33.32.156», according to fail2ban.
The database listens on «10.0.14.7»:5432 inside the VPC.
My IPv6 address is «2001:db8:85a3::8a2e:370:7334», is that public?
The logs show «fe80::1ff:fe23:4567:890a» on the wrong interface.
The printer's MAC address is «3C:52:82:4F:9A:1B».
My laptop's MAC is «a4-83-e7-2b-91-cd» if you need it for the whitelist.
The VPN assigned «100.64.12.9», which conflicts with the office range.
Someone at «172.16.254.3» is hammering our login page.
Our mail server «2a02:c7f:8e12:4b00::2» is on a blacklist.
Clone it with git clone «https://deploy:Tr0ub4dor&3@git.example.com»/team/app.git.
The connection string is postgres://«app_user:Wint3rIsC0ming!»@db.internal.example:5432/prod.
My Redis URL is redis://«default:8Kq2mLp9xZ»@cache.example.io:6379.
The reset link was https://example.com/reset?token=«9f8e7d6c5b4a3f2e1d0c» and it expired.
The S3 presigned link has X-Amz-Signature=«a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6» in it; is that safe to share?
The webhook is «<<SLACK_HOOK>>», can you tell me why it 404s?
I pasted https://api.example.com/v1/data?api_key=«ZX81spectrumKey42» into the browser.
mongodb+srv://«admin:Pa55w0rd2024»@cluster0.example.mongodb.net/test fails to connect.
The callback is https://app.example.com/cb?code=«4/0AY0e-g7xQ2kLm9» and then nothing happens.
ftp://«backup:Zx9!mK2#pQ»@files.example.org/nightly is where the dumps go.
The invite link has &sig=«Kq2mLp9xZ8rT4vW7» at the end; does it expire?
Use https://«ghp_fakeTokenValue1234567890abcd»@github.com/org/repo.git in CI.
My card number is «4111 1111 1111 1111», expiry 09/27, is that enough to book?
They charged «5500-0000-0000-0004» twice for the same order.
Can you check whether «378282246310005» looks like a valid Amex?
I typed «6011111111111117» into the form and it said invalid.
The card ending is not enough, they want «4012 8888 8888 1881» in full.
Her Visa «4242424242424242» was declined at the pharmacy.
The CVV is «739» and the card is in my wallet.
Card: «5105 1051 0510 5100», CVC «482».
I used «3530 1113 3330 0000» for the hotel deposit.
He read out «4000-0566-5566-5556» over the phone, which felt risky.
My debit card «6304 0000 0000 0000 018» was cloned.
Can I dispute the charge on «5454 5454 5454 5454»?
The security code is «1234» for the Amex.
My SSN is «123-45-6789», do I put it on the W-4?
Her social security number «078-05-1120» was on the leaked form.
SSN: «219 09 9999», filed with the 2023 return.
My National Insurance number is «QQ 12 34 56 C».
His NI number «AB123456D» was on the payslip.
My passport number is «533380006» and it expires next spring.
Passport no. «X1234567», issued in Manila.
My Aadhaar number is «2345 6789 0123», is it safe to give to the landlord?
PAN «ABCPE1234F» is needed for the tax filing.
My SIN is «046 454 286» for the Canadian employer.
Tax file number «123 456 782», lodged last July.
His BSN «111222333» is on the rental contract.
My DNI is «12345678Z» and I need to renew it.
NIE «X1234567L» for the Spanish bank account.
Codice fiscale: «RSSMRA85T10A562S».
My personnummer is «19811218-9876».
The CPF «123.456.789-09» is wrong on the invoice.
My CURP is «GODE561231HDFRRN09».
Driver's licence number «MORGA753116SM9IJ» from the DVLA letter.
His driver's license no. «D1234-56789-01234» was photocopied at the desk.
My NHS number is «943 476 5919», do I need it for the GP?
Steuer-ID «12 345 678 901» für die Lohnabrechnung.
Medicare number «2953 12345 1» for the Australian clinic.
My national ID number is «K-4481-9920-3», printed on the back.
The EIN «12-3456789» belongs to my LLC.
Her Korean registration number is «850101-2345678».
My INSEE number is «1 85 05 78 006 084 36».
Resident registration number «900214-1234567» on the visa form.
My Steuernummer is «21/815/08150».
I live at «742 Evergreen Terrace, Springfield, IL 62704» with my two kids.
Ship it to «1600 Pennsylvania Avenue NW, Washington, DC 20500».
My flat is «Flat 4, 22 Baker Street», so the bell is on the left.
The party is at «45 Oak Lane, Apt 3B, Portland, OR 97201».
We moved to «1234 Maple Drive, Austin, TX 78701» last month.
Her studio is at «88 Queen's Road, Brighton BN1 3XE».
Deliver to «17 Rue de la Paix» in Paris, third floor.
My address is «Hauptstraße 12», 10115 Berlin.
Send the documents to «Calle Mayor 23», Madrid.
The office is at «500 W Madison St, Suite 1200, Chicago, IL 60661».
Our house is at «9 Elmwood Close, Leeds LS6 2AB».
I live at «42 wallaby way» in Sydney, near the harbour.
His PO box is «PO Box 4471», Anchorage.
Mail it to «P.O. Box 1182», Carmel, CA.
The rental is «3150 Sunset Boulevard, Los Angeles, CA 90026».
We're staying at «14 Harbour View Road», Auckland.
She lives at «221B Baker Street, London NW1 6XE».
My grandmother's house is «6 Church Lane, Little Snoring NR21 0AY».
Post it to «Via Roma 15», Milano.
The venue is «210 Kingsway», Vancouver.
The warehouse at «77 Industrial Parkway, Dayton, OH 45402» needs a new lease.
Meet me at «31 Spooner Street, Quahog, RI 02903» tomorrow.
Our new place is «8 Rue Oberkampf», 75011.
Address: «1 Infinite Loop, Cupertino, CA 95014».
The apartment at «55 Water St, Apt 12», Brooklyn, has mould.
My parents live at «19 Station Road, Harrogate HG1 1TT».
Her postcode is «SW1A 1AA» and she's near the palace.
The zip code is «94107», can you check delivery times?
My office is at «1 Rue du Faubourg Saint-Honoré», Paris.
The kids' school is «400 N Lincoln Ave, Chicago, IL 60614».
Why does my code fail? api_key = "«<<OPENAI>>»"
client = anthropic.Anthropic(api_key="«<<ANTHROPIC>>»")
AWS_ACCESS_KEY_ID=«<<AWS_ID>>» keeps getting rejected.
The temporary key «<<AWS_ID2>>» came from STS.
aws_secret_access_key = «wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY»
I committed «<<GITHUB>>» by mistake, what now?
Our fine-grained token «<<GITHUB_PAT>>» expired.
The GitLab token «<<GITLAB>>» has write access.
The Slack bot token «<<SLACK>>» stopped working.
GOOGLE_MAPS_KEY: «<<GOOGLE>>»
stripe.api_key = "«<<STRIPE>>»" in production, is that bad?
In tests we use «<<STRIPE_TEST>>».
HF_TOKEN=«<<HF>>» python train.py
//registry.npmjs.org/:_authToken=«<<NPM>>»
The SendGrid key «<<SENDGRID>>» leaked in a screenshot.
TWILIO_API_KEY=«<<TWILIO>>»
Authorization: Bearer «<<JWT>>»
The JWT «<<JWT>>» decodes to my email.
My private key is «<<PEM>>» — can you tell what's wrong?
DB_PASSWORD=«Sup3rS3cret!2024»
password: «correcthorsebatterystaple»
My wifi password is «Lighthouse#2291», should I change it?
The admin password is «Adm1n!Adm1n», which seems weak.
My PIN is «4829», please don't judge me.
"secret": "«f3a9c1e7b5d2a8f4c6e0b9d3»" is in config.json.
client_secret='«GOCSPX-9xQ2kLm7Rt4Vw8Zy3Bn6»'
export SECRET_KEY=«django-insecure-7x!q2k@lm9#rt4vw8zy3»
The token is in the header: X-Api-Key: «Qx7vLm2Pz9Rt4Ws8Yb1N».
AccountKey=«Zx9Kq2Lm7Rt4Vw8Zy3Bn6Hd1Fg5Jk0AeQx7vLm2Pz9==» is in the connection string.
auth_token: «a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6»
The recovery phrase is «ripple lantern orbit»... wait, let me not paste all of it.
Our webhook_secret = «whsec_Xq7Lm2Pz9Rt4Ws8Yb1Nc6Hd».
My login code is «739204» but it already expired.
My date of birth is «14/03/1988», does that matter for the quote?
DOB: «1979-11-02», place of birth Leeds.
I was born on «July 4, 1992» in Ohio.
Her birthday is «12 August 2001», so she turns eighteen... no, older.
D.O.B. «03.09.1965» on the old passport.
Date of birth «5th of May 1990» is on file.
Born «21/06/1984», Capricorn I think? No, Cancer.
My son's DOB is «2015-02-28».
My IBAN is «GB82 WEST 1234 5698 7654 32» for the refund.
Pay into «DE89370400440532013000», reference rent.
IBAN «FR1420041010050500013M02606», BIC BNPAFRPP.
Account number «31926819», sort code «60-16-13».
Routing number «021000021», account «4455667788» at Chase.
Transfer to «NL91ABNA0417164300» please.
My checking account number is «000123456789».
BSB «062-000» and account number «12345678» for the deposit.
The IBAN «ES9121000418450200051332» is for the landlord.
My employee ID is «E-448291» and HR can't find me.
Patient ID «MRN-20931847» was on the discharge note.
My Instagram handle is «@lena.paints» if you want to link it.
Username: «dkowalczyk88», I can't log in.
My Twitter is «@mtorres_dev» but I barely post.
My reddit username is «throwaway_4471» for this.
The login is «j.smith_admin» on the staging server.
My GitHub username is «octo-priya» if you want to look.
The coordinates of my cabin are «47.6205, -122.3493».
We found the cache at «51.50722, -0.12750» near the river.
Policy number «HX-99812734» for the car insurance claim.
Order number «112-4471823-9923301» never arrived.
My student ID number is «20194471» at the university.
The VIN is «1HGCM82633A004352» on the registration.
Booking reference number «478829331» for the flight.
The tracking number «1Z999AA10123456784» shows it stuck in Memphis.
Membership number «77120045» at the gym.
My card «4917 6100 0000 0000» and PIN «8841» were stolen together.
Email «ollie.brandt@example.com», phone «+1 312 555 0186», address «12 Birch Road».
Here's the config: host=«10.20.30.40» user=admin password=«Hydr4ngea!».
"""


def _expand(text: str) -> str:
    for name, token in TOKENS.items():
        text = text.replace(f"<<{name}>>", token)
    return text


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for raw in PRIVATE_SENTENCES.strip().split("\n"):
        line = _expand(raw)  # after the split: the PEM token spans lines
        private = re.findall(r"«(.*?)»", line, flags=re.S)
        cases.append((line.replace("«", "").replace("»", ""), private))
    return cases


def _redacted(private: str, scrubbed: str) -> bool:
    """Gone, and no long digit-bearing fragment of it left behind (a half-masked number fails)."""
    if private in scrubbed:
        return False
    fragments = [f for f in re.split(r"[\s,;:/]+", private) if len(f) >= 5 and re.search(r"\d", f)]
    return not any(f in scrubbed for f in fragments)


def test_at_least_200_private_strings_and_95_percent_redacted() -> None:
    cases = _cases()
    total = sum(len(private) for _, private in cases)
    assert total >= 200, total
    missed = []
    for sentence, privates in cases:
        scrubbed = Scrubber().text(sentence)
        missed += [(p, scrubbed) for p in privates if not _redacted(p, scrubbed)]
    rate = 1 - len(missed) / total
    assert rate >= 0.95, f"{rate:.1%} redacted; missed: " + "\n".join(
        f"{p!r} in {s!r}" for p, s in missed
    )


def test_private_sentences_stay_readable() -> None:
    """Around the placeholders, the words of the sentence survive."""
    kept = total = 0
    for sentence, privates in _cases():
        scrubbed = Scrubber().text(sentence)
        rest = sentence
        for p in privates:
            rest = rest.replace(p, " ")
        words = [w for w in re.findall(r"[A-Za-z]{4,}", rest)]
        total += len(words)
        kept += sum(w in scrubbed for w in words)
    assert kept / total >= 0.9


ORDINARY = """
In 1969, Apollo 11 landed on the Moon and Neil Armstrong stepped out at 02:56 UTC.
The meeting moved to 10:30 on 2024-05-01; bring the Q2 numbers.
It costs $1,299.99, or 3 payments of $433.33 with 0% interest.
Python 3.11.7 fixed the bug; upgrade from version 3.10.4 if you can.
Run pip install numpy==1.26.4 and then python -m pytest -q.
The ratio is 3:2 and the scale is 1:50,000 on this map.
Chapter 12 covers the French Revolution from 1789 to 1799.
Add 250 g of flour, 2 eggs and 125 ml of milk, then bake at 180 C for 25 minutes.
Use std::vector<int> and call v.size() before indexing.
The population of Canada is about 40,000,000 people.
Our sprint runs from March 4 to March 15, with a demo on the 14th.
The function returns O(n log n) comparisons for 1000000 elements.
ISBN 978-0-14-044913-6 is the Penguin edition of War and Peace.
Set the timeout to 30000 ms and retry 5 times.
The HTTP server listens on port 8080 and the admin panel on 9090.
Matthew 5:9 says blessed are the peacemakers.
Score was 3-1 after 90 minutes, then 4-1 in extra time.
The answer is 42, and 6 x 7 = 42 too.
Divide 1,048,576 by 1024 to get 1024.
I ran 5 miles down the road and back before breakfast.
Use the SHA-256 digest to compare files, not the file size.
The Treaty of Westphalia was signed in 1648 in Osnabrück and Münster.
Set password_min_length = 12 in the policy file, not lower.
Read the token from os.environ["API_KEY"] instead of hard-coding it.
The default api_key=None means the client reads the environment.
My favourite street in the novel is Baker Street, where Holmes lives.
Take the A1 north, then the M62 east towards Hull.
Interest of 4.5% on 10,000 over 3 years is about 1,411.66 compounded.
He was born in 1956 and moved to Lagos in the 1980s.
The molecule C6H12O6 is glucose.
Our tests cover 87.5% of lines and 92% of branches.
The regex [A-Z]{2}\\d{2} matches two letters and two digits.
Version v2.3.1.4 of the firmware fixes the Wi-Fi issue.
The 737 MAX was grounded in March 2019.
Call the function twice and compare the results.
My phone died, so I missed your message about dinner.
At 3.14159 the approximation of pi is good enough for this.
Please cite Huang et al. (2025), arXiv:2504.15236, in the report.
The Fibonacci sequence starts 1, 1, 2, 3, 5, 8, 13, 21, 34.
We need 16 GB of RAM and 512 GB of disk for the build server.
"""


def test_ordinary_text_is_left_unchanged() -> None:
    sentences = [s for s in ORDINARY.strip().split("\n") if s]
    changed = [(s, Scrubber().text(s)) for s in sentences if Scrubber().text(s) != s]
    assert len(changed) <= len(sentences) * 0.05, changed


def test_counts_by_kind_and_typed_placeholders() -> None:
    scrubber = Scrubber()
    out = scrubber.text("Mail jo@example.com or +44 7700 900123; card 4111 1111 1111 1111.")
    assert out == "Mail [EMAIL] or [PHONE]; card [CREDIT_CARD]."
    assert scrubber.counts == {"EMAIL": 1, "PHONE": 1, "CREDIT_CARD": 1}
    assert PLACEHOLDER.findall(out) == ["[EMAIL]", "[PHONE]", "[CREDIT_CARD]"]


def test_card_numbers_need_a_valid_luhn_checksum() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert Scrubber().text("order 4111111111111112 shipped") == "order 4111111111111112 shipped"
    assert iban_ok("GB82WEST12345698765432") and not iban_ok("GB82WEST12345698765433")


def test_record_scrubbing_keeps_shape_and_structural_keys() -> None:
    record = {
        "id": "conv-1",
        "messages": [
            {"role": "user", "content": "I'm at 203.0.113.9"},
            {"role": "assistant", "content": [{"type": "text", "text": "Email a@example.com"}]},
        ],
    }
    assert Scrubber().record(record) == {
        "id": "conv-1",
        "messages": [
            {"role": "user", "content": "I'm at [IP]"},
            {"role": "assistant", "content": [{"type": "text", "text": "Email [EMAIL]"}]},
        ],
    }


def test_find_private_reports_kinds() -> None:
    assert find_private("advice on a dispute with a landlord") == []
    assert find_private("email bob@example.com about it") == ["EMAIL"]


def test_salt_is_generated_once_with_mode_0600(tmp_path: pytest.TempPathFactory) -> None:
    settings = Settings(VALUEGRAPH_STATE_DIR=tmp_path, VALUEGRAPH_ID_SALT=None)  # type: ignore[call-arg]
    first = load_id_salt(settings)
    assert load_id_salt(settings) == first
    mode = stat.S_IMODE((tmp_path / "id_salt").stat().st_mode)  # type: ignore[operator]
    assert mode == 0o600
    a, b = hash_conversation_id(first, "x"), hash_conversation_id(b"other", "x")
    assert a != b and a == hash_conversation_id(first, "x") and a.startswith("c_")


def test_salt_from_setting_wins(tmp_path: pytest.TempPathFactory) -> None:
    settings = Settings(VALUEGRAPH_STATE_DIR=tmp_path, VALUEGRAPH_ID_SALT=SecretStr("pepper"))  # type: ignore[call-arg]
    assert load_id_salt(settings) == b"pepper"
    assert not (tmp_path / "id_salt").exists()  # type: ignore[operator]

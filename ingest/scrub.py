"""Privacy scrubbing: replace private strings with typed placeholders such as ``[EMAIL]``.

Scrubbing runs on every raw record before it is parsed, sent to a model or stored. It is
deliberately pattern-based and local: kura and OpenClio only *ask* the model not to repeat private
details, which leaves the details in what is sent. Checksums (Luhn, IBAN mod 97, the Spanish DNI
letter) keep long numbers that merely look like card or account numbers readable.

Rules run in order, most specific first, so a URL's password is gone before the email rule
could half-match it. Placeholders are upper-case words in brackets, which no later rule matches.

This module also owns the salted hashing of conversation ids, the other half of "nothing
identifying is stored".
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from valuegraph.errors import ConfigError
from valuegraph.settings import Settings

Replacer = Callable[[re.Match[str]], str | None]


@dataclass(frozen=True)
class Rule:
    """One kind of private string: a pattern and what replaces a match (None keeps it)."""

    kind: str
    pattern: re.Pattern[str]
    replace: Replacer
    # Cheap pre-checks, which make scrubbing several times faster on ordinary text:
    needs: str | None = None  # a substring every match contains
    words: tuple[str, ...] = ()  # one of these (lowercase) occurs in every match
    digits: bool = False  # every match contains a digit (set by kind, below RULES)


def _placeholder(kind: str) -> Replacer:
    return lambda _m: f"[{kind}]"


def _keep_prefix(kind: str) -> Replacer:
    """Keep group 1 (a label such as ``password=``) and replace the rest."""
    return lambda m: f"{m.group(1)}[{kind}]"


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def luhn_ok(number: str) -> bool:
    """The Luhn checksum of card numbers (and Canadian SINs, Swedish personnummer)."""
    digits = [int(d) for d in _digits(number)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return bool(digits) and total % 10 == 0


def iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def dni_ok(candidate: str) -> bool:
    compact = candidate.replace("-", "").upper()
    body = compact[:-1].replace("X", "0").replace("Y", "1").replace("Z", "2")
    return body.isdigit() and "TRWAGMYFPDXBNJZSQVHLCKE"[int(body) % 23] == compact[-1]


def _card(m: re.Match[str]) -> str | None:
    digits = _digits(m.group(0))
    if 13 <= len(digits) <= 19 and luhn_ok(digits) and len(set(digits)) > 1:
        return "[CREDIT_CARD]"
    return None


def _ipv4(m: re.Match[str]) -> str | None:
    before = m.string[max(0, m.start() - 9) : m.start()].lower()
    # "version 1.2.3.4" and "v10.0.0.1" are software versions, not hosts.
    if before.rstrip().endswith(("version", "v", "ver", "release")):
        return None
    return "[IP]"


def _ipv6(m: re.Match[str]) -> str | None:
    text = m.group(0).split("%")[0]
    if len(text) < 6:
        return None
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return None
    return "[IP]"


def _phone(m: re.Match[str]) -> str | None:
    return "[PHONE]" if 7 <= len(_digits(m.group(0))) <= 15 else None


def _phone_in_context(m: re.Match[str]) -> str | None:
    return f"{m.group(1)}[PHONE]" if 7 <= len(_digits(m.group(2))) <= 15 else None


def _checked(kind: str, check: Callable[[str], bool]) -> Replacer:
    return lambda m: f"[{kind}]" if check(m.group(0)) else None


def _url_userinfo(m: re.Match[str]) -> str | None:
    userinfo = m.group(2)
    # "user:password@" is always a credential; a lone long "token@" (git remotes) is one too.
    if ":" in userinfo or len(userinfo) >= 16:
        return f"{m.group(1)}[CREDENTIALS]@"
    return None


def _c(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_I = re.IGNORECASE
_X = re.VERBOSE

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}})"
)
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace"
    r"|Ter|Way|Close|Crescent|Cres|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Row"
    r"|Mews|Gardens|Grove|Walk|Alley|Plaza|Loop|Pike|Heights|Hill|Rise|Green|Park)"
)
_UNIT = r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|\#)\.?\s*\#?[\w-]{1,6})?"
_CITY_STATE_ZIP = (
    r"(?:,\s*[A-Z][a-zA-Z.'-]+(?:\s[A-Z][a-zA-Z.'-]+){0,2}"
    r"(?:,?\s+[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?|\s+[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})?)?"
)
_UK_POSTCODE = r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}\b"
_CREDENTIAL_LABELS = (
    r"password|passwd|pwd|passphrase|pass|secret|secret[_-]?key|client[_-]?secret|api[_-]?key"
    r"|apikey|access[_-]?key(?:[_-]?id)?|secret[_-]?access[_-]?key|auth[_-]?token|access[_-]?token"
    r"|refresh[_-]?token|bearer[_-]?token|token|private[_-]?key|db[_-]?pass(?:word)?"
    r"|signing[_-]?key|encryption[_-]?key|webhook[_-]?secret|session[_-]?id|cookie"
)
# Values that are references to a secret rather than the secret itself stay readable.
_NOT_A_CREDENTIAL = (
    r"(?!(?:os\.|process\.env|env\[|getenv|settings\.|config\.|self\.|None\b|null\b|true\b|false\b"
    r"|undefined\b|\$|<|\{|\[|\*{3,}|x{4,}|\.\.\.|your[_-]|my[_-]|example\b|changeme\b|required\b))"
)
_ID_CONTEXT = (
    r"passport(?:\s+(?:number|no\.?|\#))?|national\s+id(?:entity)?(?:\s+(?:card\s+)?(?:number|no\.?))?"
    r"|id\s+card(?:\s+(?:number|no\.?))?|identity\s+card(?:\s+number)?|aadhaa?r(?:\s+(?:number|no\.?))?"
    r"|social\s+insurance\s+number|tax\s+file\s+number|tax\s+id(?:entification)?(?:\s+number)?"
    r"|taxpayer\s+id(?:\s+number)?|burgerservicenummer|personnummer|codice\s+fiscale|steuer-?id"
    r"|steuernummer|medicare(?:\s+(?:card\s+)?number)?|nhs\s+number|national\s+insurance(?:\s+number)?"
    r"|driver'?s\s+licen[cs]e(?:\s+(?:number|no\.?|\#))?|licen[cs]e\s+(?:number|no\.?)"
    r"|resident\s+registration\s+number"
    r"|(?-i:SIN|PAN|TIN|EIN|ITIN|BSN|TFN|DNI|NIE|NIF|CPF|CURP|RFC|PPS|PESEL|NINO|ABN)"
)
_BANK_CONTEXT = (
    r"(?:bank\s+|checking\s+|savings\s+)?account\s+(?:number|no\.?|\#)|acct\.?\s+(?:no\.?|\#)"
    r"|routing\s+(?:number|no\.?)|sort\s+code|BSB|ABA|SWIFT(?:\s+code)?|BIC|acc(?:oun)?t(?=\s+\d{6,})"
)
_OTHER_ID_CONTEXT = (
    r"employee\s+id|staff\s+id|student\s+id(?:\s+number)?|member(?:ship)?\s+(?:id|number)"
    r"|patient\s+id|medical\s+record\s+number|(?-i:MRN)|policy\s+number|claim\s+number"
    r"|case\s+number|badge\s+number|service\s+number|VIN|vehicle\s+identification\s+number|licen[cs]e\s+plate"
    r"|(?:order|booking|reservation|confirmation|tracking|reference)\s+(?:reference\s+)?(?:number|no\.?|code|\#)"
)
# An id after its label: letters and digits, with single spaces, dots, slashes or dashes inside.
_ID_VALUE = r"([A-Z0-9](?:[A-Z0-9]|[ .\/-](?=[A-Z0-9])){4,24})"
_ID_LEAD = r"\W{0,4}(?:(?i:is|was|reads|number|no\.?)\s+)?(?:\#\s?)?"


def _id_in_context(kind: str) -> Replacer:
    return lambda m: f"{m.group(1)}[{kind}]" if len(_digits(m.group(2))) >= 4 else None


RULES: tuple[Rule, ...] = (
    # --- keys, tokens and secrets --------------------------------------------------------
    Rule(
        "PRIVATE_KEY",
        _c(
            r"-----BEGIN[A-Z ]*PRIVATE KEY( BLOCK)?-----"
            r"(?:[\s\S]*?-----END[A-Z ]*-----|[A-Za-z0-9+/=\s]*)"
        ),
        _placeholder("PRIVATE_KEY"),
        needs="-----BEGIN",
    ),
    Rule(
        "CREDENTIALS",
        _c(r"(\b[a-z][a-z0-9+.-]{1,15}://)([^\s/@?#]+)@", _I),
        _url_userinfo,
        needs="@",
    ),
    Rule(
        "SECRET",
        _c(
            r"([?&;#](?:access_token|id_token|refresh_token|token|api_key|apikey|key|secret"
            r"|client_secret|password|passwd|pwd|auth|sig|signature|session|sessionid|sid|code"
            r"|jwt|x-amz-signature|x-amz-credential|x-goog-signature)=)[^&\s#\"'<>]{4,}",
            _I,
        ),
        _keep_prefix("SECRET"),
        needs="=",
    ),
    Rule(
        "SECRET",
        _c(
            r"(\b(?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature)=)[^&\s#\"'<>]{8,}",
            _I,
        ),
        _keep_prefix("SECRET"),
        needs="=",
    ),
    Rule(
        "SECRET",
        _c(r"(hooks\.slack\.com/services/|discord(?:app)?\.com/api/webhooks/)[\w/-]{8,}", _I),
        _keep_prefix("SECRET"),
        words=("hooks.slack", "discord"),
    ),
    Rule(
        "API_KEY",
        _c(
            r"\b(?:sk-ant-[\w-]{20,}|sk-(?:proj-|svcacct-|admin-|live-)?[A-Za-z0-9_-]{20,}"
            r"|(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}"
            r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,}|glpat-[\w-]{20,}"
            r"|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[\w-]{35}|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"
            r"|whsec_[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{30,}|npm_[A-Za-z0-9]{36}|pypi-[\w-]{50,}"
            r"|SG\.[\w-]{16,}\.[\w-]{16,}|(?:SK|AC)[0-9a-f]{32}|dop_v1_[0-9a-f]{64}"
            r"|shp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}|EAA[A-Za-z0-9]{30,}|ya29\.[\w-]{20,}"
            r"|AccountKey=[A-Za-z0-9+/=]{20,}|(?:SharedAccessSignature|sig)=[\w%+/=-]{20,})"
        ),
        _placeholder("API_KEY"),
        words=(
            "sk-",
            "akia",
            "asia",
            "agpa",
            "aida",
            "aroa",
            "anpa",
            "anva",
            "aipa",
            "gh",
            "glpat-",
            "xox",
            "aiza",
            "sk_",
            "pk_",
            "rk_",
            "whsec_",
            "hf_",
            "npm_",
            "pypi-",
            "sg.",
            "sk",
            "ac",
            "dop_v1_",
            "shp",
            "eaa",
            "ya29.",
            "accountkey=",
            "sig",
        ),
    ),
    Rule(
        "TOKEN",
        _c(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"),
        _placeholder("TOKEN"),
        needs="eyJ",
    ),
    Rule(
        "SECRET",
        _c(r"(\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{16,}"),
        _keep_prefix("SECRET"),
        words=("bearer", "basic", "token"),
    ),
    Rule(
        "SECRET",
        _c(
            rf"(\b(?:[A-Z_]*_)?(?:{_CREDENTIAL_LABELS})[\"']?\s*(?:[:=]|=>|:=)\s*[\"']?){_NOT_A_CREDENTIAL}[^\s\"',;)]{{4,}}",
            _I,
        ),
        _keep_prefix("SECRET"),
        words=("pass", "pwd", "secret", "key", "token", "cookie", "session"),
    ),
    Rule(
        "SECRET",
        _c(
            r"(\b(?:my|the|our|his|her|their|your)\s+(?:[\w-]+\s+){0,2}"
            r"(?:wi-?fi\s+)?(?:password|passcode|passphrase|pin(?:\s+code)?|PIN|pass\s?word|login\s+code"
            r"|security\s+(?:code|answer)|recovery\s+(?:code|phrase)|seed\s+phrase)"
            r"\s+(?:is|was|=|:|is\s+still|is\s+now)\s+[\"'“]?)(?!\[)[^\s\"'”]*?[^\s\"'”.,;!?]"
            r"(?=[\"'”]?(?:[\s.,;!?)]|$))",
            _I,
        ),
        _keep_prefix("SECRET"),
        words=(
            "password",
            "passcode",
            "passphrase",
            "pin",
            "pass word",
            "login code",
            "security",
            "recovery",
            "seed phrase",
        ),
    ),
    Rule(
        "SECRET",
        _c(r"(\b(?-i:PIN)(?:\s+(?:code|number))?\W{0,3}(?:is\s+|was\s+)?)\d{4,8}\b"),
        _keep_prefix("SECRET"),
        words=("pin",),
    ),
    # --- contact details ---------------------------------------------------------------
    Rule(
        "EMAIL",
        _c(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
        _placeholder("EMAIL"),
        needs="@",
    ),
    Rule(
        "EMAIL",
        _c(
            r"\b[\w.+-]+\s*(?:\[at\]|\(at\)|\{at\}|\s+at\s+)\s*[\w-]+(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+|\.)\s*[\w-]+)*"
            r"\s*(?:\[dot\]|\(dot\)|\{dot\}|\s+dot\s+)\s*(?:com|org|net|edu|gov|io|co|uk|de|fr|info|me)\b",
            _I,
        ),
        _placeholder("EMAIL"),
        words=(" dot ", "[dot]", "(dot)", "{dot}"),
    ),
    Rule(
        "USERNAME",
        _c(
            # A label, then "is", ":" or "=": "handle" alone is far more often the verb.
            r"(\b(?:user\s?name|login|handle|screen\s+name|(?:twitter|instagram|insta|tiktok"
            r"|telegram|discord|reddit|github|skype|snapchat|IG|X)\s+(?:handle|account|username"
            r"|name|user))\s*(?:is|:|=)\s*@?|\b(?:twitter|instagram|insta|tiktok|telegram|reddit"
            r"|github|snapchat)\s+(?:is\s+)?@)(?!\[)[A-Za-z0-9_.#-]*[A-Za-z0-9_#-]",
            _I,
        ),
        _keep_prefix("USERNAME"),
        words=(
            "user",
            "login",
            "handle",
            "name",
            "twitter",
            "instagram",
            "insta",
            "tiktok",
            "telegram",
            "discord",
            "reddit",
            "github",
            "skype",
            "snapchat",
            "ig ",
            "x ",
        ),
    ),
    # --- national ids and financial numbers (before phones, which would half-match them) --
    Rule("SSN", _c(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b"), _placeholder("SSN")),
    Rule(
        "SSN",
        _c(
            r"(\b(?:SSN|social\s+security(?:\s+(?:number|no\.?|\#))?)\W{0,4}(?:is\s+)?)\d{3}[\s.]?\d{2}[\s.]?\d{4}\b",
            _I,
        ),
        _keep_prefix("SSN"),
    ),
    Rule(
        "NATIONAL_ID",
        _c(rf"(\b(?i:{_ID_CONTEXT}){_ID_LEAD}){_ID_VALUE}"),
        _id_in_context("NATIONAL_ID"),
    ),
    Rule(
        "BANK_ACCOUNT",
        _c(rf"(\b(?i:{_BANK_CONTEXT}){_ID_LEAD}){_ID_VALUE}"),
        _id_in_context("BANK_ACCOUNT"),
    ),
    Rule(
        "ID_NUMBER",
        _c(rf"(\b(?i:{_OTHER_ID_CONTEXT}){_ID_LEAD}){_ID_VALUE}"),
        _id_in_context("ID_NUMBER"),
    ),
    Rule("CREDIT_CARD", _c(r"(?<![\d.])\d(?:[ -]?\d){12,18}(?![\d.]\d)"), _card),
    Rule(
        "NATIONAL_ID",
        _c(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"),  # UK National Insurance
        _placeholder("NATIONAL_ID"),
    ),
    Rule(
        "NATIONAL_ID",
        _c(
            r"\b(?:[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z]"  # Italian codice fiscale
            r"|[A-Z]{4}\d{6}[HM][A-Z]{5}[A-Z0-9]\d"  # Mexican CURP
            r"|\d{3}\.\d{3}\.\d{3}-\d{2}"  # Brazilian CPF
            r"|\d{6}-[1-4]\d{6}"  # Korean RRN
            r"|[2-9]\d{3}\s\d{4}\s\d{4}(?!\s?\d)"  # Indian Aadhaar (4-4-4)
            # French INSEE
            r"|[12]\s?\d{2}\s?(?:0[1-9]|1[0-2])\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}\s?\d{2})\b"
        ),
        _placeholder("NATIONAL_ID"),
    ),
    Rule("NATIONAL_ID", _c(r"\b[XYZ]?\d{7,8}-?[A-Z]\b"), _checked("NATIONAL_ID", dni_ok)),
    Rule(
        "NATIONAL_ID",
        _c(r"\b(?:19|20)?\d{6}[-+]\d{4}\b"),  # Swedish personnummer, Luhn over the last ten digits
        _checked("NATIONAL_ID", lambda s: luhn_ok(_digits(s)[-10:])),
    ),
    Rule(
        "IBAN",
        _c(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b"),
        _checked("IBAN", iban_ok),
    ),
    Rule(
        "CVV",
        _c(r"(\b(?:CVV2?|CVC2?|CSC|CID|security\s+code)\W{0,3}(?:is\s+)?)\d{3,4}\b", _I),
        _keep_prefix("CVV"),
    ),
    Rule(
        "DATE_OF_BIRTH",
        _c(
            rf"(\b(?:date\s+of\s+birth|DOB|D\.O\.B\.?|born\s+(?:on\s+)?|birth\s?day\s+is)\W{{0,3}}(?:is\s+)?){_DATE}",
            _I,
        ),
        _keep_prefix("DATE_OF_BIRTH"),
    ),
    # --- network identifiers ------------------------------------------------------------
    Rule(
        "MAC",
        _c(r"\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b"),
        _placeholder("MAC"),
    ),
    Rule(
        "IP",
        _c(
            r"(?<![\w.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\w]|\.\d)"
        ),
        _ipv4,
        needs=".",
    ),
    Rule(
        "IP",
        # Candidates are loose; ipaddress decides, so clock times and C++ scopes stay readable.
        _c(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?(?![\w:])"),
        _ipv6,
        needs=":",
    ),
    # --- phone numbers ------------------------------------------------------------------
    Rule(
        "PHONE",
        _c(
            r"(?<![\w+])\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}(?![\w])"
        ),
        _phone,
        needs="+",
    ),
    Rule(
        "PHONE",
        _c(r"(?<![\w-])(?:1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])"),
        _phone,
    ),
    Rule(
        "PHONE",
        _c(
            r"(?<![\w-])0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w-])|(?<![\w-])0[1-9](?:[\s.-]?\d{2}){4}(?![\w-])"
        ),
        _phone,
    ),
    Rule(
        "PHONE",
        _c(
            r"(\b(?:phone|tel|telephone|mobile|cell|call\s+me(?:\s+on|\s+at)?|text\s+me(?:\s+on|\s+at)?"
            r"|whats\s?app|fax|reach\s+me(?:\s+on|\s+at)?|ring\s+me(?:\s+on)?|number\s+is)\W{0,3})"
            r"(\+?\d[\d\s().-]{5,18}\d)(?!\d)",
            _I,
        ),
        _phone_in_context,
    ),
    # --- places ---------------------------------------------------------------------------
    Rule(
        "ADDRESS",
        _c(
            rf"\b\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+(?:[NSEW]\.?\s+)?(?:[A-Z][\w'.-]*\s+){{1,4}}{_STREET_SUFFIX}\b\.?"
            rf"(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?{_UNIT}{_CITY_STATE_ZIP}"
        ),
        _placeholder("ADDRESS"),
    ),
    Rule(
        "ADDRESS",
        _c(
            rf"(\b(?:live|living|lives|located|move[ds]?|moving|staying|stay|address\s+is|send\s+(?:it|them)\s+to"
            rf"|deliver(?:ed)?\s+to|ship(?:ped)?\s+to|house\s+(?:is\s+)?on|apartment\s+(?:is\s+)?on)\s+(?:at|to|on|in)?\s*)"
            rf"\d{{1,6}}[A-Za-z]?,?\s+(?:[A-Za-z][\w'.-]*\s+){{1,4}}{_STREET_SUFFIX}\b\.?{_UNIT}",
            _I,
        ),
        _keep_prefix("ADDRESS"),
    ),
    Rule(
        "ADDRESS",
        _c(
            r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|boulevard|bd|place|chemin|impasse|allée|quai|cours)\s+"
            r"(?:(?:de|du|des|la|le|l'|d')\s*)*[A-ZÀ-Ý][\w'-]+(?:\s+(?:de|du|la|le)?\s*[A-ZÀ-Ý][\w'-]+){0,3}"
            r"|\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer)\s+\d{1,4}[a-z]?\b"
            r"|\b(?:Calle|C/|Avenida|Avda\.|Via|Viale|Piazza|Corso|Rua|Travessa|Plaza|Paseo)\s+"
            r"(?:(?:de|del|la|las|los|dei|della|delle|do|da|dos)\s+)*[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+){0,3},?\s+"
            r"(?:n\.?\s*[º°]?\s*|nº\s*)?\d{1,4}\b"
        ),
        _placeholder("ADDRESS"),
    ),
    Rule(
        "ADDRESS",
        _c(r"\b(?:P\.?\s?O\.?\s?Box|Post\s+Office\s+Box|Postfach|Apartado)\s+\d{1,8}\b", _I),
        _placeholder("ADDRESS"),
    ),
    Rule("POSTCODE", _c(_UK_POSTCODE), _placeholder("POSTCODE")),
    Rule(
        "POSTCODE",
        _c(
            r"(\b(?:zip(?:\s?code)?|postal\s+code|post\s?code|PLZ|CEP)\W{0,3}(?:is\s+)?)"
            r"[A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9]\b",
            _I,
        ),
        _keep_prefix("POSTCODE"),
    ),
    Rule(
        "LOCATION",
        _c(r"(?<![\w.])-?\d{1,2}\.\d{4,},\s*-?\d{1,3}\.\d{4,}(?!\w|\.\d)"),
        _placeholder("LOCATION"),
        needs=",",
    ),
)

# Every pattern of these kinds needs a digit somewhere in its match.
_DIGIT_KINDS = frozenset(
    {
        "SSN", "NATIONAL_ID", "BANK_ACCOUNT", "ID_NUMBER", "IBAN", "CREDIT_CARD", "CVV",
        "DATE_OF_BIRTH", "PHONE", "ADDRESS", "POSTCODE", "LOCATION",
    }
)  # fmt: skip
RULES = tuple(replace(r, digits=True) if r.kind in _DIGIT_KINDS else r for r in RULES)
KINDS: tuple[str, ...] = tuple(sorted({r.kind for r in RULES}))
_DIGIT = re.compile(r"\d")
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")


@dataclass
class Scrubber:
    """Applies :data:`RULES` and counts what it replaced, by kind."""

    rules: tuple[Rule, ...] = RULES
    counts: Counter[str] = field(default_factory=Counter)

    def text(self, text: str) -> str:
        """Scrub one string."""
        # Computed once on the input: rules only remove digits and words, so a rule skipped
        # because its trigger is absent could not have matched later either.
        has_digit = _DIGIT.search(text) is not None
        lowered = text.lower()
        for rule in self.rules:
            if rule.digits and not has_digit:
                continue
            if rule.needs is not None and rule.needs not in text:
                continue
            if rule.words and not any(word in lowered for word in rule.words):
                continue
            text = rule.pattern.sub(self._counted(rule), text)
        return text

    def _counted(self, rule: Rule) -> Callable[[re.Match[str]], str]:
        def replace(m: re.Match[str]) -> str:
            out = rule.replace(m)
            if out is None:
                return m.group(0)
            self.counts[rule.kind] += 1
            return out

        return replace

    def record(self, record: Any) -> Any:
        """Scrub every string in a raw JSON record, keeping its shape and its structural keys."""
        if isinstance(record, str):
            return self.text(record)
        if isinstance(record, list):
            return [self.record(item) for item in record]
        if isinstance(record, dict):
            return {
                key: value if key in STRUCTURAL_KEYS else self.record(value)
                for key, value in record.items()
            }
        return record


# Keys whose values are structure, never free text: roles, types, ids, times. Ids are kept so a
# user can match `valuegraph scrub` output to the input; they are hashed before being stored.
STRUCTURAL_KEYS = frozenset(
    {
        "role", "from", "sender", "type", "id", "uuid", "conversation_id", "model",
        "created_at", "updated_at", "create_time", "update_time", "timestamp",
        "start_timestamp", "stop_timestamp", "index", "tool_use_id",
    }
)  # fmt: skip


def find_private(text: str) -> list[str]:
    """Kinds of private strings in ``text`` (empty if none): used to check model output."""
    probe = Scrubber()
    probe.text(text)
    return sorted(probe.counts)


# --- salted conversation ids ------------------------------------------------------------------

SALT_FILE = "id_salt"


def load_id_salt(settings: Settings) -> bytes:
    """The salt for conversation ids: the setting, or one generated once in the state folder."""
    if settings.id_salt is not None:
        value = settings.id_salt.get_secret_value()
        if not value:
            raise ConfigError("VALUEGRAPH_ID_SALT is set but empty")
        return value.encode("utf-8")
    path = settings.state_dir / SALT_FILE
    if path.exists():
        return _read_salt(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two ingests starting at once must not each write a different salt.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_salt(path)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32))
    return _read_salt(path)


def _read_salt(path: Path) -> bytes:
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ConfigError(f"the id salt file {path} is empty; delete it or set VALUEGRAPH_ID_SALT")
    return value.encode("utf-8")


def hash_conversation_id(salt: bytes, source_id: str) -> str:
    """A stable, salted, non-reversible id: the same conversation always maps to the same node."""
    digest = hmac.new(salt, source_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"c_{digest[:32]}"

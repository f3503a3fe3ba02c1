"""Language names and codes. The domain speaks ISO 639-1 ("nl", "en"); providers map to
their own forms in their modules."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGE_CODES: Mapping[str, str] = {
    "afrikaans": "af", "albanian": "sq", "arabic": "ar", "armenian": "hy", "basque": "eu",
    "bengali": "bn", "bosnian": "bs", "bulgarian": "bg", "catalan": "ca", "chinese": "zh",
    "mandarin": "zh", "cantonese": "zh", "croatian": "hr", "czech": "cs", "danish": "da",
    "dutch": "nl", "flemish": "nl", "english": "en", "estonian": "et", "filipino": "tl",
    "tagalog": "tl", "finnish": "fi", "french": "fr", "frisian": "fy", "galician": "gl",
    "georgian": "ka", "german": "de", "greek": "el", "hebrew": "he", "hindi": "hi",
    "hungarian": "hu", "icelandic": "is", "indonesian": "id", "irish": "ga", "italian": "it",
    "japanese": "ja", "kannada": "kn", "kazakh": "kk", "korean": "ko", "latvian": "lv",
    "lithuanian": "lt", "macedonian": "mk", "malay": "ms", "malayalam": "ml", "marathi": "mr",
    "mongolian": "mn", "norwegian": "no", "persian": "fa", "polish": "pl", "portuguese": "pt",
    "punjabi": "pa", "romanian": "ro", "russian": "ru", "scottish gaelic": "gd",
    "serbian": "sr", "slovak": "sk", "slovenian": "sl", "spanish": "es", "swahili": "sw",
    "swedish": "sv", "tamil": "ta", "telugu": "te", "thai": "th", "turkish": "tr",
    "ukrainian": "uk", "urdu": "ur", "vietnamese": "vi", "welsh": "cy",
}


def language_code(name: object) -> str:
    """ISO 639-1 code of an English language name ("Dutch" → "nl"); "" when unknown."""
    if not isinstance(name, str):
        return ""
    return LANGUAGE_CODES.get(" ".join(name.split()).casefold(), "")

"""The one aspect vocabulary of the project: what a customer can praise or blame.

Sentiment extracts these, the responder's scripts and seller facts name them, insights
chart them. Order is the order a reply addresses blamed aspects in: what costs the
customer most first (a fake or a dead item before a late parcel).
"""

from __future__ import annotations

from typing import Literal, get_args

AspectName = Literal[
    "counterfeit",
    "wrong_item",
    "not_working",
    "defect",
    "missing_parts",
    "transit_damage",
    "leak",
    "compatibility",
    "description_mismatch",
    "colour_mismatch",
    "size_fit",
    "shrinkage",
    "smell_material",
    "noise",
    "quality",
    "delivery_speed",
    "packaging",
    "instructions_language",
    "seller_service",
    "price",
    "other",
]

#: Every aspect, most severe first (see the module docstring).
ASPECTS: tuple[str, ...] = get_args(AspectName)

#: One line per aspect: what it covers. Used for documentation and as the text the
#: encoder compares a clause with when the lexicon finds nothing.
ASPECT_DESCRIPTIONS: dict[str, str] = {
    "counterfeit": "the item is a fake, not original, counterfeit, a replica",
    "wrong_item": "a different item, model, colour or size was sent than ordered",
    "not_working": "the item does not work, does not turn on, stopped working",
    "defect": "a manufacturing defect: broken, torn, crooked seam, cracked, faulty",
    "missing_parts": "parts, accessories or pieces are missing from the set",
    "transit_damage": "damaged, crushed or dented in transit, arrived broken",
    "leak": "the item leaks, drips, lets water through",
    "compatibility": "does not fit or work with the phone, car or device it should",
    "description_mismatch": "does not match the description or the stated characteristics",
    "colour_mismatch": "the colour differs from the photo on the card",
    "size_fit": "size and fit: too small, too large, runs small, fits well",
    "shrinkage": "shrank, stretched or lost shape after washing",
    "smell_material": "smell and material: smells of chemicals or plastic, fabric, material",
    "noise": "the item is loud, noisy, squeaks, buzzes, rattles",
    "quality": "overall build and material quality, flimsy or sturdy",
    "delivery_speed": "delivery: how fast or late the parcel arrived, courier",
    "packaging": "packaging and box",
    "instructions_language": "the manual or instructions, missing Russian translation",
    "seller_service": "the seller, shop, support, returns and refunds",
    "price": "price and value for money",
    "other": "the product in general",
}

assert set(ASPECT_DESCRIPTIONS) == set(ASPECTS)

"""Write the exercise drawings (``hep/static/media/exercises/<slug>.svg``) from pose data.

Each drawing follows docs/library-format conventions: viewBox 0 0 240 100, the start position
(``<g class="start">``, x 0-110) on the left, an arrow, the end position (``<g class="end">``,
x 130-240) on the right, a ground line at y 94, strokes in ``currentColor``.

Poses are written in ONE local frame (x 0-110, ground at y 94, a standing person's head at
y 14, hips at y 54); the end pose is shifted 130 to the right. Each pose is
``(head_x, head_y, figure_path, props_path)``; paths use absolute commands only
(M L H V Q T C), so they can be shifted. Props (chairs, steps, weights, bands) are drawn
thinner and lighter; ``K(x, y)`` is a kettlebell standing at (x, y).

Usage: ``python tools/exercise_drawings.py [slug ...]`` writes the named drawings (all by
default). To add an exercise, add an entry to ``DRAWINGS`` and run it; the files are the
source of truth in the repository, this script only makes them consistent.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "hep" / "static" / "media" / "exercises"
END_SHIFT = 130


def K(x: float, y: float = 94) -> str:
    """A kettlebell whose base stands at (x, y): a bell with a handle."""
    return f"M{x - 5} {y}H{x + 5}Q{x + 8} {y - 8} {x} {y - 9}Q{x - 8} {y - 8} {x - 5} {y}M{x - 3} {y - 9}Q{x} {y - 15} {x + 3} {y - 9}"


def DB(x: float, y: float) -> str:
    """A dumbbell centred on (x, y), seen from the side: a short bar with two plates."""
    return f"M{x - 5} {y}H{x + 5}M{x - 5} {y - 3}V{y + 3}M{x + 5} {y - 3}V{y + 3}"


def CHAIR(x: float, facing: str = "right") -> str:
    """A chair with its back at x; the seat (y 64) goes toward ``facing``."""
    d = 26 if facing == "right" else -26
    return f"M{x} 94V36M{x} 64H{x + d}M{x + d} 64V94"


_NUM = re.compile(r"-?\d+(?:\.\d+)?")


def shift(path: str, dx: float) -> str:
    """Shift every x coordinate of an absolute-command path by ``dx``."""
    out = []
    for cmd, args in re.findall(r"([MLHVQTC])([^MLHVQTC]*)", path):
        nums = [float(n) for n in _NUM.findall(args)]
        if cmd != "V":
            step = 1 if cmd == "H" else 2
            nums = [n + dx if i % step == 0 else n for i, n in enumerate(nums)]
        out.append(cmd + " ".join(_fmt(n) for n in nums))
    return "".join(out)


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else f"{n:g}"


def _pose(cls: str, pose: tuple, dx: float) -> str:
    hx, hy, body, props = (pose + ("",))[:4]
    parts = [f'<g class="{cls}">']
    if props:
        parts.append(f'<path d="{shift(props, dx)}" stroke-width="2" opacity=".6"/>')
    parts.append(f'<circle cx="{_fmt(hx + dx)}" cy="{_fmt(hy)}" r="7"/><path d="{shift(body, dx)}"/></g>')
    return "".join(parts)


def svg(title: str, start: tuple, end: tuple) -> str:
    """The whole drawing as one line of SVG markup."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 100" width="240" height="100" role="img">'
        f"<title>{title}</title>"
        '<g fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" stroke-linejoin="round">'
        '<path d="M4 94H236" stroke-width="2" opacity=".5"/>'
        + _pose("start", start, 0)
        + '<path d="M112 50H128M122 44L128 50L122 56" stroke-width="2"/>'
        + _pose("end", end, END_SHIFT)
        + "</g></svg>\n"
    )


# --- shared pieces (local frame) -------------------------------------------------------------
STAND = "M50 22V54L50 94H58M50 28L55 41L57 52"          # standing side view, facing right
SUPINE = "M19 88H52"                                     # lying on the back, head at (12, 86)
CROOK = SUPINE + "L66 70L80 92H88"                       # lying, knees bent, feet flat
FOURS = "M76 60L76 92M36 60L36 92L14 92"                # hands-and-knees limbs (head near 88, 54)
SEAT = CHAIR(20)
SIT = "M33 30L32 62H60L62 92H70"                         # sitting on SEAT, facing right



def PILLOW(x1: float, x2: float, y: float = 94) -> str:
    """A pillow lying on the floor (a low bump from x1 to x2)."""
    return f"M{x1} {y}Q{(x1 + x2) / 2} {y - 12} {x2} {y}"


def CLOCK(x: float, y: float, hour: float) -> str:
    """A small clock face centred on (x, y), its hand pointing to ``hour`` (0-11)."""
    import math
    a = math.radians(hour * 30)
    hx, hy = round(x + 4 * math.sin(a)), round(y - 4 * math.cos(a))
    return (f"M{x - 6} {y}Q{x - 6} {y - 6} {x} {y - 6}Q{x + 6} {y - 6} {x + 6} {y}"
            f"Q{x + 6} {y + 6} {x} {y + 6}Q{x - 6} {y + 6} {x - 6} {y}M{x} {y - 4}V{y}L{hx} {hy}")


ARMS_SIT = "M33 34L46 48L58 60"
STEP_UP = "M56 94V82H104V94"
FRONT = "M55 22V54M45 30H65M47 94L50 74L55 54L60 74L63 94"   # standing, facing you (no arms)
WALK = "M56 22V54L46 74L40 94H48M56 54L64 74L70 94H78"         # mid-stride, facing right
TABLE = "M66 56H106M70 56V94M102 56V94"
BOX = "M72 94V72H98V94"
WALL = "M98 4V94"

DRAWINGS: dict[str, tuple[str, tuple, tuple]] = {
    # --- breathing -------------------------------------------------------------------------
    "belly-breathing-crook-lying": (
        "Belly breathing lying down: from resting on your back with a hand on the belly to the belly rising as you breathe in",
        (12, 86, CROOK + "M24 88L34 80L42 84"),
        (12, 86, "M19 88Q36 74 52 88L66 70L80 92H88M24 88L34 76L42 78", "M28 64Q32 60 36 64T44 64")),
    "long-exhale-breathing-seated": (
        "Long out-breath breathing, seated: a quiet breath in through the nose, then a long slow breath out",
        (34, 22, SIT + ARMS_SIT, SEAT + "M60 20H46M50 16L46 20L50 24"),
        (35, 24, "M34 32L32 62H60L62 92H70M34 36L46 50L58 60", SEAT + "M46 26Q52 22 58 26T70 26T82 26T94 26")),
    "body-scan-relaxation": (
        "Body scan relaxation: lying still, moving your attention slowly from the feet up to the head",
        (12, 86, "M19 88H56L94 88V80M24 88L50 90", "M86 70L88 75M98 68L97 74M106 76L102 79"),
        (12, 86, "M19 88H56L94 88V80M24 88L50 90", "M2 72L5 77M13 66V72M24 70L21 75")),
    # --- carries ---------------------------------------------------------------------------
    "farmer-carry": (
        "Farmer carry: from bending down to grip a weight beside each foot to standing tall with one in each hand",
        (70, 42, "M62 48L30 58L48 70L42 94H50M62 48L64 64L66 78", K(66)),
        (55, 14, FRONT + "M45 30L41 48L40 66M65 30L69 48L70 66", K(40, 82) + K(70, 82))),
    "suitcase-carry": (
        "Suitcase carry: from standing tall with a weight in one hand to walking slowly without leaning",
        (55, 14, FRONT + "M45 30L43 48L43 66M65 30L67 48L69 62", K(43, 82)),
        (56, 14, WALK + "M56 28L55 44L55 64", K(55, 80))),
    "front-rack-carry": (
        "Front-rack carry: from holding the kettlebell at your chest with elbows tucked in to walking slowly with it",
        (55, 14, FRONT + "M45 30L43 44L52 42M65 30L67 44L58 42", K(55, 50)),
        (56, 14, WALK + "M56 28L52 42L64 40", K(68, 47))),
    # --- graded bending --------------------------------------------------------------------
    "hip-hinge-to-box": (
        "Hip hinge to a box: from standing tall to pushing the hips back and touching the top of the box",
        (40, 14, "M40 22V54L40 94H48M40 28L45 41L47 52", BOX),
        (68, 29, "M60 36L30 54L38 74L36 94H44M60 36L68 54L76 70", BOX)),
    "reach-to-table": (
        "Reach to table height: from standing in front of a table to bending forward with both palms on it",
        (40, 14, "M40 22V54L40 94H48M40 28L45 41L47 52", TABLE),
        (72, 33, "M38 54L40 94H48M38 54L64 39L70 48L74 56", TABLE)),
    "reach-to-chair-seat": (
        "Reach to a chair seat: from standing in front of a chair to bending down with both hands on the seat",
        (40, 14, "M40 22V54L40 94H48M40 28L45 41L47 52", CHAIR(100, "left")),
        (66, 43, "M58 50L30 58L46 74L40 94H48M58 50L66 58L76 64", CHAIR(100, "left"))),
    "reach-to-low-step": (
        "Reach to a low step: from standing in front of the bottom stair to bending down and touching it",
        (40, 14, "M40 22V54L40 94H48M40 28L45 41L47 52", "M72 94V82H104V94"),
        (72, 62, "M32 56L50 70L42 94H50M32 56Q48 40 60 60L66 72L76 82", "M72 94V82H104V94")),
    "reach-to-floor": (
        "Reach to the floor: from standing to bending down with your fingertips on the floor, knees bent as you need",
        (50, 14, STAND),
        (71, 68, "M30 56L46 74L38 94H46M30 56Q50 36 60 58L62 76L64 92")),
    "sit-to-stand": (
        "Sit to stand: from sitting near the front of a chair to standing up tall",
        (34, 22, SIT + ARMS_SIT, SEAT),
        (62, 14, "M62 22V54L62 94H70M62 28L67 41L69 52", SEAT)),
    "pick-up-light-object": (
        "Picking up a light object: from bending down to the object on the floor to standing up holding it",
        (66, 46, "M30 56L46 72L38 94H46M30 56Q44 40 58 50L68 68L74 84", "M70 94Q70 86 78 88Q86 86 86 94"),
        (50, 14, "M50 22V54L50 94H58M50 28L54 42L60 52", "M56 60Q56 52 63 54Q70 52 70 60Q63 62 56 60")),
    "slump-sitting-exposure": (
        "Relaxed slump sitting: from sitting tall to letting the back round and the head drop forward",
        (33, 20, "M33 28L32 62H60L62 92H70M33 32L46 46L58 60", SEAT),
        (48, 32, "M42 38Q30 46 32 62H60L62 92H70M42 40L50 52L58 60", SEAT)),
    "standing-roll-down": (
        "Standing roll-down: from standing tall to rolling down one part of the back at a time, arms hanging",
        (50, 14, "M50 22V54L51 74L50 94H58M50 28L55 41L57 52"),
        (70, 70, "M44 94H52M44 94L47 74L42 54Q62 34 62 62L62 86")),
    # --- hip mobility ----------------------------------------------------------------------
    "knee-to-chest": (
        "Knee to chest: from lying on your back with knees bent to drawing one knee slowly toward the chest",
        (12, 86, CROOK + "M24 88L36 82L46 86"),
        (12, 86, CROOK + "M52 88L40 64L56 58M24 88L32 74L42 68")),
    "figure-four-stretch": (
        "Figure-four buttock stretch: from one ankle crossed over the other knee to drawing the bottom leg toward you",
        (12, 86, CROOK + "M52 88L58 62L72 68M24 88L36 82L46 86"),
        (12, 86, "M19 88H52L44 62L62 56M52 88L62 70L48 60M24 88L32 72L42 66")),
    "half-kneeling-hip-flexor-stretch": (
        "Half-kneeling hip flexor stretch: from kneeling on one knee, trunk upright, to shifting the hips gently forward",
        (46, 18, "M46 26V60L36 92L16 92M46 60L66 72L66 94H74M46 32L44 46L48 56", PILLOW(24, 48)),
        (57, 20, "M57 28V62L36 92L16 92M57 62L76 72L70 94H78M57 34L55 48L59 58", PILLOW(24, 48))),
    "hip-90-90-switch": (
        "90/90 hip switches, seen from above: sitting with both knees bent to one side, then swinging them to the other",
        (55, 38, "M40 38H48M62 38H70M40 38L34 26M70 38L76 26M48 48H62M48 48L34 68L62 82M62 48L86 58L94 38"),
        (55, 38, "M40 38H48M62 38H70M40 38L34 26M70 38L76 26M48 48H62M62 48L76 68L48 82M48 48L24 58L16 38")),
    "supported-deep-squat": (
        "Supported deep squat hold: from standing holding a table to sitting down into a deep squat, still holding on",
        (48, 14, "M48 22V54L48 94H56M48 28L62 42L76 50", "M76 50H108M80 50V94M104 50V94"),
        (54, 38, "M48 94H56M48 94L62 72L40 80Q40 62 50 48L64 54L76 50", "M76 50H108M80 50V94M104 50V94")),
    # --- hip strength ----------------------------------------------------------------------
    "glute-bridge": (
        "Bridge: from lying on your back with knees bent to lifting the hips into a line from shoulders to knees",
        (12, 86, CROOK + "M24 88L44 92"),
        (12, 86, "M19 88L52 70L68 62L80 92H88M24 88L44 92")),
    "single-leg-bridge": (
        "Single-leg bridge: from lying with one leg straight to lifting the hips level on the other foot",
        (12, 86, CROOK + "M52 88L66 70L88 58M24 88L44 92"),
        (12, 86, "M19 88L52 70L68 62L80 92H88M68 62L94 50M24 88L44 92")),
    "clamshell": (
        "Clamshell: lying on your side with knees bent and feet together, then lifting the top knee",
        (12, 82, "M20 88H52L74 82L86 92M52 86L74 78L86 90M24 86L36 78L46 82"),
        (12, 82, "M20 88H52L74 82L86 92M52 86L70 58L86 90M24 86L36 78L46 82")),
    "side-lying-hip-abduction": (
        "Side-lying leg lift: lying on your side with the bottom knee bent, then lifting the straight top leg",
        (12, 82, "M20 88H54L72 82L62 92M54 86H98M24 86L36 78L46 82"),
        (12, 82, "M20 88H54L72 82L62 92M54 86L96 64M24 86L36 78L46 82")),
    "step-up": (
        "Step-up: from one foot on the step to standing tall on the step",
        (40, 14, "M40 22V54L40 94H48M40 54L56 64L60 82H68M40 28L45 41L47 52", STEP_UP),
        (76, 10, "M76 18V48L76 82H84M76 24L81 37L83 48", STEP_UP)),
    "split-squat": (
        "Split squat: from a long stride holding a chair to bending both knees, back knee toward the floor",
        (50, 14, "M50 22V54L62 74L66 94H74M50 54L40 74L32 88L28 94M50 28L64 36L78 38", CHAIR(78)),
        (48, 28, "M48 36V68L68 70L68 94H76M48 68L40 90L26 92M48 42L64 44L78 40", CHAIR(78))),
    "hip-thrust": (
        "Hip thrust: from sitting on the floor, upper back on a bench, to lifting the hips level with a weight on them",
        (30, 50, "M32 58L50 92L70 72L78 94H86M34 64L44 76L50 84", "M2 62H28M6 62V94M24 62V94" + DB(52, 82)),
        (20, 54, "M28 62H58L74 64L80 94H88M32 64L44 60L54 56", "M2 62H28M6 62V94M24 62V94" + DB(56, 56))),
    "goblet-squat": (
        "Goblet squat: from standing with a kettlebell at your chest to sitting down between your heels, chest up",
        (50, 14, "M50 22V54L50 94H58M50 28L46 42L58 40", K(62, 47)),
        (50, 34, "M50 94H58M50 94L64 72L38 76L46 42M46 46L48 58L58 54", K(62, 60))),
    # --- walking and impact ----------------------------------------------------------------
    "walking-little-and-often": (
        "Short walks, little and often: a relaxed walk with the arms swinging, repeated through the day",
        (50, 14, "M50 22V54L40 74L34 94H42M50 54L58 74L64 94H72M50 28L44 42L40 52M50 28L56 42L62 48", CLOCK(92, 16, 9)),
        (50, 14, "M50 22V54L60 74L66 94H74M50 54L42 74L34 92H40M50 28L56 42L62 50M50 28L44 42L38 48", CLOCK(92, 16, 2))),
    "double-leg-heel-raise": (
        "Heel raises on both legs: from standing flat with fingertips on a wall to rising onto the balls of both feet",
        (60, 14, "M60 22V54L60 94H68M60 28L74 38L97 40", WALL),
        (60, 6, "M60 14V46L60 86L67 94M60 20L74 30L97 32", WALL)),
    "single-leg-heel-raise": (
        "Single-leg heel raise: on one foot on the edge of a step, from the heel down to rising onto the ball of the foot",
        (58, 16, "M58 23V52L58 92L68 88M58 52L54 68L46 74M58 29L76 34L97 36", "M62 94V88H92V94" + WALL),
        (58, 8, "M58 15V44L58 80L68 88M58 44L54 60L46 66M58 21L76 26L97 28", "M62 94V88H92V94" + WALL)),
    "jog-in-place": (
        "Jog in place: small, light jogging steps on the spot, from one knee up to the other heel kicking back",
        (52, 14, "M52 22V54L66 62L62 80M52 54L52 94H60M52 30L44 42L52 50M52 30L60 40L68 34"),
        (52, 12, "M52 20V52L50 72L40 78M52 52L56 72L54 90H62M52 28L60 40L52 48M52 28L44 38L38 32")),
    "skipping": (
        "Skipping: feet on the ground with the rope overhead, then a light bounce as the rope passes under the feet",
        (55, 14, FRONT + "M45 30L40 44L40 56M65 30L70 44L70 56", "M40 56Q55 -22 70 56"),
        (55, 6, "M55 14V46M45 22H65M47 86L50 66L55 46L60 66L63 86M45 22L40 36L40 48M65 22L70 36L70 48", "M40 48Q55 134 70 48")),
    "pogo-hops": (
        "Pogo hops: from standing on the balls of both feet to a quick small hop, knees almost straight",
        (55, 18, "M55 26V56M46 32H64M46 32L43 46L45 56M64 32L67 46L65 56M50 94L51 76L55 56L59 76L60 94"),
        (55, 8, "M55 16V46M46 22H64M46 22L43 36L45 46M64 22L67 36L65 46M50 84L51 66L55 46L59 66L60 84", "M46 88V92M55 88V92M64 88V92")),
    "hop-in-place": (
        "Single-leg hop in place: from standing on one leg to a gentle hop on the spot, landing softly",
        (55, 18, "M55 26V56L56 94H63M55 56L50 72L42 76M55 32L50 44L52 54M55 32L62 44L66 40"),
        (55, 8, "M55 16V46L57 84H64M55 46L50 62L42 66M55 22L50 34L52 44M55 22L62 34L66 30", "M52 88V92M62 88V92")),
    "lateral-hops": (
        "Side-to-side hops: from standing beside a line on the floor to hopping sideways over it and landing softly",
        (34, 18, "M34 26V56M25 32H43M25 32L22 46L24 56M43 32L46 46L44 56M29 94L30 76L34 56L38 76L39 94", "M55 86V94"),
        (78, 24, "M78 32V62M69 38H87M69 38L62 48M87 38L94 48M70 94L72 80L78 62L84 80L86 94", "M55 86V94M36 50Q56 20 72 46")),
    "step-down-landing": (
        "Landing from a low step: from standing on the step to landing on both feet with hips and knees bent",
        (24, 9, "M24 16V46L24 80H31M24 22L29 35L31 46", "M6 94V80H40V94"),
        (78, 30, "M72 38L60 66L80 76L70 94H78M72 42L82 52L90 54", "M6 94V80H40V94")),
    # --- lifting ---------------------------------------------------------------------------
    "kettlebell-deadlift-from-blocks": (
        "Kettlebell deadlift from blocks: from gripping the handle at knee height, hips back, to standing tall with the bell",
        (52, 30, "M44 37L16 56L30 72L26 94H34M44 37L46 50L48 64", "M36 94V80H60V94" + K(48, 80)),
        (28, 14, "M28 22V54L28 94H36M28 28L32 42L34 58", "M36 94V80H60V94" + K(35, 72))),
    "kettlebell-deadlift-from-floor": (
        "Kettlebell deadlift from the floor: from hips back and knees bent gripping the bell to standing tall with it",
        (52, 38, "M44 44L18 64L36 70L28 94H36M44 44L45 60L46 78", K(46)),
        (34, 14, "M34 22V54L34 94H42M34 28L38 42L40 58", K(41, 72))),
    "suitcase-lift": (
        "Suitcase lift: from reaching down to grip a weight beside one foot to standing tall without leaning",
        (55, 34, "M55 42V68M45 48H65M45 94L42 78L55 68L68 78L65 94M45 48L38 64L34 78M65 48L70 62L68 72", K(32)),
        (55, 14, FRONT + "M45 30L42 48L40 64M65 30L68 48L68 62", K(40, 80))),
    "box-lift-from-floor": (
        "Lifting a box from the floor: from squatting close to grip the box to standing up holding it close",
        (46, 36, "M40 44L24 72L46 70L38 94H46M40 46L48 62L52 78", "M50 94V76H74V94"),
        (36, 14, "M36 22V54L36 94H44M36 28L44 42L48 46", "M46 36H68V56H46V36")),
    "dumbbell-romanian-deadlift": (
        "Dumbbell Romanian deadlift: from standing with the weights at your thighs to hinging until they reach the shins",
        (44, 14, "M44 22V54L44 94H52M44 28L48 42L50 54", DB(51, 58)),
        (70, 40, "M62 46L30 56L38 74L36 94H44M62 46L62 60L61 70", DB(61, 74))),
    # --- nerve mobility --------------------------------------------------------------------
    "seated-sciatic-nerve-slider": (
        "Seated sciatic nerve slider: from knee bent with chin down to knee straight while looking up at the ceiling",
        (38, 26, SIT + ARMS_SIT, SEAT + "M44 32L48 38"),
        (30, 20, SIT + "M32 62L82 56L84 48" + ARMS_SIT, SEAT + "M34 10L40 4")),
    "supine-sciatic-nerve-slider": (
        "Lying sciatic nerve slider: holding the thigh up, from knee bent with chin tucked to knee straight with head back",
        (15, 82, CROOK + "M52 88L54 62L74 64M24 88L38 72L52 66", "M22 74L26 70"),
        (12, 86, CROOK + "M52 88L56 44L64 42M24 88L38 72L52 66", "M4 76L0 72")),
    "side-lying-sciatic-nerve-slider": (
        "Side-lying sciatic nerve slider: from curled up, top knee and chin in, to straightening the top knee and looking up",
        (16, 78, "M22 84Q36 78 54 86L48 64L66 60M54 86L72 80L80 92M26 82L38 72L46 70", PILLOW(2, 26) + "M22 70L26 74"),
        (12, 84, "M19 86H54L96 68M54 86L72 80L80 92M24 86L40 80", PILLOW(2, 26) + "M6 72L2 68")),
    "seated-ankle-and-neck-slider": (
        "Seated ankle and neck slider: leg out in front, from toes pointed while looking up to toes pulled back, chin down",
        (30, 20, "M33 30L32 62L58 68L84 90L96 92M32 62H56L60 92H68M33 34L44 48L54 62", SEAT + "M34 10L40 4"),
        (38, 26, "M33 30L32 62L58 68L84 90L88 78M32 62H56L60 92H68M33 34L44 48L54 62", SEAT + "M44 32L48 38")),
    "side-lying-femoral-nerve-slider": (
        "Side-lying femoral nerve slider: bottom knee hugged, from the top heel to the buttock looking up to the knee straighter, chin in",
        (12, 84, "M19 86H54L42 66L58 60M54 88H86L72 68M26 86L38 78L46 74", PILLOW(2, 26) + "M46 74L72 68M4 72L0 68"),
        (16, 80, "M22 86H54L42 66L58 60M54 88H86L100 76M26 86L38 78L46 74", PILLOW(2, 26) + "M46 74L100 76M24 72L28 76")),
    "standing-sciatic-nerve-slider": (
        "Standing sciatic nerve slider with heel on a step: from upright with chin down to hinging forward looking up",
        (43, 15, "M41 22L40 54L40 94H48M40 54L80 78L82 70M41 28L46 41L48 52", "M62 94V80H100V94M48 20L52 26"),
        (66, 22, "M60 30L40 54L40 94H48M40 54L80 78L82 70M60 32L64 44L66 56", "M62 94V80H100V94M70 12L74 6")),
    "seated-sciatic-nerve-tensioner": (
        "Seated sciatic nerve tensioner: back rounded and chin down, from knee bent to knee straight with the toes pulled back",
        (48, 32, "M42 38Q30 46 32 62H60L62 92H70M42 40L50 52L58 60", SEAT),
        (48, 32, "M42 38Q30 46 32 62H60L62 92H70M32 62L84 58L82 48M42 40L50 52L58 60", SEAT)),
    "supine-sciatic-nerve-tensioner": (
        "Lying sciatic nerve tensioner: towel round the foot, from thigh up and knee bent to knee straight, toes pulled back",
        (15, 82, CROOK + "M52 88L52 62L72 64L74 58M24 88L38 70L46 60", "M46 60L74 60"),
        (15, 82, CROOK + "M52 88L58 44L66 44M24 88L38 70L46 60", "M46 60L64 42")),
    "long-sitting-slump-tensioner": (
        "Long-sitting slump tensioner: legs out in front, from sitting tall to rounding the back, chin down, toes pulled back",
        (28, 50, "M30 92L28 58M30 92H84L90 86M28 64L40 78L50 90"),
        (50, 60, "M30 92Q28 66 44 66M30 92H84L80 82M44 68L54 80L60 90")),
    # --- positions of ease -----------------------------------------------------------------
    "prone-lying": (
        "Lying face down: from lying flat with arms by your sides to resting the head on the hands with a pillow under the belly",
        (12, 86, "M19 90H94L98 94M24 90L46 93"),
        (14, 80, "M21 86Q40 80 56 84L94 90L98 94M20 86L8 92H22", PILLOW(34, 64))),
    "prone-on-elbows": (
        "Lying face down on your elbows: from lying flat to resting on the forearms, hips relaxed on the floor",
        (12, 86, "M19 90H94L98 94M24 90L34 84L40 90"),
        (22, 62, "M30 70Q44 88 60 90H96L100 94M30 70L30 92L12 92")),
    "supine-90-90": (
        "Lying with legs up on a chair (90/90): from lying with knees bent beside a chair to resting the calves on its seat",
        (12, 86, CROOK + "M24 88L40 86", CHAIR(96, "left")),
        (12, 86, "M19 88H50L52 62H88M24 88L40 86", CHAIR(96, "left"))),
    "side-lying-with-pillow": (
        "Side lying with a pillow between the knees: from lying on your side with knees bent to resting with pillows placed",
        (12, 82, "M20 88H52L74 82L86 92M52 86L74 79L86 90M24 86L36 78L46 82"),
        (12, 80, "M20 88H52L74 82L86 92M52 84L72 66L86 86M24 86L36 78L46 82", PILLOW(2, 26) + "M66 76Q74 64 82 70Q80 80 66 76")),
    "crook-lying": (
        "Lying on your back with knees bent: from lying with legs straight to knees bent, feet flat and hands on the belly",
        (12, 86, "M19 88H56L94 88V80M24 88L46 92", PILLOW(2, 24)),
        (12, 86, CROOK + "M24 88L34 78L44 84", PILLOW(2, 24))),
    "childs-pose": (
        "Child's pose: from hands and knees to sitting the hips back toward the heels with the forehead down",
        (88, 54, FOURS + "M36 60H76"),
        (80, 80, "M32 80L50 92L28 92M32 80Q50 64 70 84L84 92H104")),
    "childs-pose-side-reach": (
        "Child's pose with side reach, seen from above: from arms stretched forward to both hands walked over to one side",
        (72, 50, "M24 50H64M64 40V60M64 40L102 36M64 60L102 64M16 42H30M16 58H30"),
        (70, 30, "M24 50Q48 50 60 41M54 36L66 46M54 36L78 8M66 46L100 22M16 42H30M16 58H30")),
    # --- spinal mobility -------------------------------------------------------------------
    "cat-camel": (
        "Cat-camel: on hands and knees, from the back rounded up with the head down to the back sagging with the head up",
        (84, 68, FOURS + "M36 60Q56 36 76 60"),
        (86, 48, FOURS + "M36 58Q56 76 76 58")),
    "pelvic-tilts": (
        "Pelvic tilts lying down: from the lower back flat on the floor to a gentle arch away from it",
        (12, 86, CROOK + "M24 88L36 92", "M40 78Q48 72 56 78"),
        (12, 86, "M19 88Q36 74 52 88L66 70L80 92H88M24 88L36 92", "M56 78Q48 72 40 78")),
    "lumbar-rotations": (
        "Knee rolls lying down, seen from above: arms out to the sides, from knees up in the middle to rolled to one side",
        (55, 12, "M55 20V56M25 28H85M52 56L50 80M58 56L60 80"),
        (55, 12, "M55 20V56M25 28H85M52 56L30 70L40 82M58 56L36 76L46 86")),
    "standing-back-extension": (
        "Standing back bend: from standing tall with the hands on the back of the hips to leaning slowly backward",
        (50, 14, "M50 22V54L50 94H58M50 28L42 40L46 52"),
        (37, 17, "M40 25L52 56L52 94H60M42 32L36 44L48 54")),
    "prone-press-up": (
        "Press-up lying face down: from hands under the shoulders to straightening the arms, hips on the floor",
        (12, 86, "M19 90H94L98 94M26 90L30 82L36 90"),
        (22, 52, "M30 60Q44 88 60 90H96L100 94M30 62L28 78L30 92")),
    "side-glide-at-wall": (
        "Side glide at a wall, seen from the front: elbow on the wall, from standing straight to pushing the hips toward the wall",
        (44, 14, "M44 22V54M34 30H54M38 94L40 74L44 54L48 74L50 94M34 30L20 30L24 16M54 30L62 42L52 52", "M16 4V94"),
        (44, 14, "M44 22V30L32 58M34 30H54M38 94L34 76L32 58L42 76L50 94M34 30L20 30L24 16M54 30L60 44L38 58", "M16 4V94")),
    "open-book-rotation": (
        "Open book rotation, seen from above: lying on your side, from both arms out in front to the top arm opened to the other side",
        (16, 50, "M23 50H60L76 70L62 84M28 50L30 82M31 50L34 82"),
        (16, 50, "M23 50H60L76 70L62 84M28 50L30 82M28 50L30 18", "M40 78Q58 50 40 22")),
    # --- trunk strength --------------------------------------------------------------------
    "mcgill-curl-up": (
        "Modified curl-up: one knee bent, hands under the back, from lying to lifting the head and shoulders slightly",
        (12, 86, "M19 88H52L66 70L80 92M52 88H94V82M24 88L36 92L42 90"),
        (14, 78, "M21 82L52 88L66 70L80 92M52 88H94V82M26 84L36 92L42 90")),
    "side-plank-from-knees": (
        "Side plank from the knees: propped on the elbow, from hips on the floor to lifting them in line from knees to head",
        (16, 62, "M22 70L20 92H34M22 70L58 90L78 92L90 78M24 74L38 76L50 84"),
        (16, 62, "M22 70L20 92H34M22 70L78 92L90 78M24 74L38 74L48 78")),
    "side-plank": (
        "Side plank: propped on the elbow, from hips on the floor to a straight line from feet to head",
        (16, 62, "M22 70L20 92H34M22 70L58 90H102M24 74L38 76L50 84"),
        (16, 62, "M22 70L20 92H34M22 70L102 92M24 74L38 74L48 78")),
    "side-plank-with-hip-lifts": (
        "Side plank with hip lifts: from a straight side plank to lowering the hips almost to the floor and lifting again",
        (16, 62, "M22 70L20 92H34M22 70L102 92M24 74L38 74L48 78"),
        (16, 62, "M22 70L20 92H34M22 70L56 88L102 92M24 74L40 80L50 86", "M62 60V80M58 64L62 60L66 64M58 76L62 80L66 76")),
    "bird-dog": (
        "Bird dog: from hands and knees to sliding one leg back and reaching the opposite arm forward, back level",
        (86, 56, FOURS + "M36 60H76"),
        (86, 54, "M36 60H76L76 92M36 60L36 92L14 92M36 60L4 58M76 60L106 52")),
    "dead-bug": (
        "Dead bug: from arms up and hips and knees bent at a right angle to lowering one heel and the opposite arm",
        (12, 86, "M19 88H52L52 64L74 64M24 88L24 60"),
        (12, 86, "M19 88H52L52 64L74 64M52 88L74 76L94 90M24 88L24 60M22 84L6 70")),
    "pallof-press": (
        "Pallof press with a band: from the hands at the middle of the chest to pressing them straight out, body still",
        (60, 14, "M60 22V54L60 94H68M60 28L56 40L66 40", "M6 30V94M6 40H66"),
        (60, 14, "M60 22V54L60 94H68M60 28L72 36L88 38", "M6 30V94M6 40L88 38")),
}


def main(slugs: list[str]) -> None:
    for slug in slugs or sorted(DRAWINGS):
        title, start, end = DRAWINGS[slug]
        (OUT / f"{slug}.svg").write_text(svg(title, start, end), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

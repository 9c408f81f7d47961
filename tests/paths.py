"""Where the tests find the repository and what it ships: every path inside the clone, so a
fresh clone passes on its own."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the minutes of meeting 1/2564 (6 January 2021), OCR'd Thai text, as the README's examples use them
SAMPLE_MINUTES = ROOT / "examples" / "minutes" / "1-2564.txt"
#: test fixtures: stored-event shapes of earlier versions, and minutes written in the sample's format
FIXTURES = ROOT / "tests" / "fixtures"
#: minutes of the next meeting, 2/2564, written in the sample's format (a test fixture, not a real document)
LATER_MINUTES = FIXTURES / "minutes_2_2564.txt"

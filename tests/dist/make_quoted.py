#!/usr/bin/env python3
"""Writes quoted_newlines.csv: a small table whose quoted fields hold newlines, CRLFs,
commas, doubled quotes and text that looks like whole rows, so that any byte offset
of the file is likely to fall inside a quoted field (the hard case for cutting a file
into byte ranges at row boundaries). Deterministic: python3 make_quoted.py > FILE."""
import random
import sys

rng = random.Random(17)
notes = [
    "plain",
    '"line one\nline two"',
    '"a, b\nc,1,2\n3,4,5"',
    '"she said ""hi""\n""bye"""',
    '"\n"',
    '"x\r\ny"',
    '"' + "\n".join("row %d,%d,%d" % (i, i, i) for i in range(12)) + '"',
    '"' + "long,text " * 40 + '\n end"',
]
out = sys.stdout
out.write('id_group,"note\nwith newline",age,score,colour\n')
for i in range(400):
    note = notes[rng.randrange(len(notes))]
    group = rng.choice(["a", "b", "c"])
    age = rng.randint(18, 90)
    score = round(rng.gauss(50, 12), 1)
    colour = rng.choice(["red", '"gr""een"', "blue", '"bl,ack"'])
    if rng.random() < 0.05:
        out.write("\n")  # a blank line (dropped by the reader)
    out.write(f"{group},{note},{age},{score},{colour}\n")

"""Nesting instance and solution formats: read any of them into a Problem, write Solutions back.

Readers (each returns a nester.problem.Problem in millimetres, with the instance
in jagua-rs/sparrow JSON form as Problem.document):
  read_instance(path, unit="auto")         detects the format from the content
  read_jagua(doc, source)                  jagua-rs / sparrow JSON (strip or bins)
  read_packingsolver(doc, source, unit)    PackingSolver irregular JSON (OpenCutList)
  read_terashima(text, source)             terashima text; terashima_optimum(path): its optimum
  problem_from_parts(parts, sheets, spacing), nest_result_from_solution(...)   plycut's own model
Writers:
  solution_document / write_solution / read_solution   sparrow's solution JSON
  solution_svg / write_solution_svg                    an SVG of every layout
"""

from nester.formats.detect import read_document, read_instance
from nester.formats.jagua_json import instance_document, read_jagua
from nester.formats.packingsolver_json import read_packingsolver
from nester.formats.plycut_parts import nest_result_from_solution, problem_from_parts
from nester.formats.solution_json import read_solution, solution_document, write_solution
from nester.formats.svg import solution_svg, write_solution_svg
from nester.formats.terashima import read_terashima, read_terashima_file, terashima_optimum

__all__ = [
    "instance_document",
    "nest_result_from_solution",
    "problem_from_parts",
    "read_document",
    "read_instance",
    "read_jagua",
    "read_packingsolver",
    "read_solution",
    "read_terashima",
    "read_terashima_file",
    "solution_document",
    "solution_svg",
    "terashima_optimum",
    "write_solution",
    "write_solution_svg",
]

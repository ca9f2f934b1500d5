"""Pages of the invest-first programme (thin: scoping, forms, then services and selectors)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from patientcap.accounts import scoping
from patientcap.investments.models import Project


def pipeline(request: HttpRequest) -> HttpResponse:
    projects = scoping.readable(request.user, Project)
    return render(request, "investments/pipeline.html", {"projects": projects})


def project(request: HttpRequest, pk: int) -> HttpResponse:
    obj = scoping.get_readable(request.user, Project, pk=pk)
    return render(request, "investments/project.html", {"project": obj})

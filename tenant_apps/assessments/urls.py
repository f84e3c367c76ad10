from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_apps.assessments.apis import (
    AssessmentResultsApi,
    AssessmentViewSet,
    AttemptViewSet,
    QuestionBankViewSet,
    QuestionViewSet,
)

router = SimpleRouter()
router.register("question-banks", QuestionBankViewSet, basename="question-bank")
router.register("questions", QuestionViewSet, basename="question")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("attempts", AttemptViewSet, basename="attempt")

urlpatterns = [
    path(
        "assessments/<int:pk>/results/",
        AssessmentResultsApi.as_view(),
        name="assessment-results",
    ),
    *router.urls,
]

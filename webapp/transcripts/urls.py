"""/staff/review/: transcript review for admins, and content tasks for editors."""

from django.urls import path

from webapp.transcripts.views import conversations, dashboard, tasks, unanswered

urlpatterns = [
    path("", conversations.conversation_list, name="review-list"),
    path("unanswered/", unanswered.unanswered, name="review-unanswered"),
    path("unanswered/training-example/", unanswered.add_training_example, name="review-add-training-example"),
    path("unanswered/content-task/", unanswered.open_content_task, name="review-open-content-task"),
    path("tasks/", tasks.task_list, name="review-tasks"),
    path("tasks/<int:pk>/close/", tasks.close_task, name="review-task-close"),
    path("dashboard/", dashboard.dashboard, name="review-dashboard"),
    path("dashboard/chart/<slug:name>.svg", dashboard.chart, name="review-chart"),
    # Last: a Rasa sender id may contain "/" (the path converter takes all of it).
    path("conversation/<path:sender_id>/", conversations.conversation_detail, name="review-conversation"),
]

"""Reports: terminal tables now; AAR/IP and readiness reports (Markdown, HTML) later."""

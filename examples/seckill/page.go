package main

import (
	_ "embed"
	"html/template"
	"net/http"
)

//go:embed page.html
var pageHTML string

// pageTemplate is the page at /: one card per configured product.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

func (a *API) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTemplate.Execute(w, a.cfg.Products)
}

package web

// german is the German for every English phrase of the portal.
var german = map[string]string{}

package db
var oracleExtra []cmdCase
